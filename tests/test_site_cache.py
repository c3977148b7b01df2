"""The build cache (tools/site/cache.py) and what the site build keeps in it: a result is reused
only for the very same inputs, code and library versions, and is the result computed afresh."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.site import cache


@pytest.fixture
def counted():
    calls: list[str] = []

    def compute(text: str = "result"):
        def run() -> str:
            calls.append(text)
            return text

        return run

    return calls, compute


def test_a_result_is_stored_and_reused(tmp_path: Path, counted, monkeypatch) -> None:
    monkeypatch.delenv(cache.ENV, raising=False)
    calls, compute = counted
    assert cache.cached_text(tmp_path, "kind", ["a", b"b"], compute()) == "result"
    assert cache.cached_text(tmp_path, "kind", ["a", b"b"], compute("other")) == "result"
    assert calls == ["result"]
    stored = list((tmp_path / ".cache" / "site" / "kind").glob("*.txt"))
    assert len(stored) == 1 and stored[0].read_text(encoding="utf-8") == "result"
    assert not list((tmp_path / ".cache" / "site" / "kind").glob(".*.tmp"))  # written atomically


def test_other_inputs_or_versions_are_other_entries(tmp_path: Path, counted, monkeypatch) -> None:
    monkeypatch.delenv(cache.ENV, raising=False)
    calls, compute = counted
    cache.cached_text(tmp_path, "kind", ["ab", b""], compute("1"))
    cache.cached_text(tmp_path, "kind", ["a", b"b"], compute("2"))  # parts do not run together
    cache.cached_text(tmp_path, "other", ["ab", b""], compute("3"))
    cache.cached_text(tmp_path, "kind", ["ab", b""], compute("4"), distributions=["pytest"])
    monkeypatch.setattr(cache, "versions", lambda names: "pytest=0.0.0")  # an upgrade
    cache.cached_text(tmp_path, "kind", ["ab", b""], compute("5"), distributions=["pytest"])
    assert calls == ["1", "2", "3", "4", "5"]


def test_a_damaged_entry_is_computed_again(tmp_path: Path, counted, monkeypatch) -> None:
    monkeypatch.delenv(cache.ENV, raising=False)
    calls, compute = counted
    cache.cached_text(tmp_path, "kind", ["x"], compute())
    (entry,) = (tmp_path / ".cache" / "site" / "kind").glob("*.txt")
    entry.write_bytes(b"\xff\xfe not utf-8")
    assert cache.cached_text(tmp_path, "kind", ["x"], compute()) == "result"
    assert len(calls) == 2


def test_off_keeps_nothing_on_disk(tmp_path: Path, counted, monkeypatch) -> None:
    monkeypatch.setenv(cache.ENV, "off")
    calls, compute = counted
    cache.cached_text(tmp_path, "kind", ["off-test"], compute())
    cache.cached_text(tmp_path, "kind", ["off-test"], compute())
    assert calls == ["result"] and not (tmp_path / ".cache").exists()


def test_prune_removes_entries_unused_for_a_month(tmp_path: Path, counted, monkeypatch) -> None:
    monkeypatch.delenv(cache.ENV, raising=False)
    _, compute = counted
    cache.cached_text(tmp_path, "kind", ["old"], compute())
    cache.cached_text(tmp_path, "kind", ["new"], compute())
    old, new = sorted((tmp_path / ".cache" / "site" / "kind").glob("*.txt"), key=os.path.getmtime)
    os.utime(old, (0, 0))
    assert cache.prune(tmp_path) == 1
    assert not old.exists() and new.exists()


# ---------------------------------------------------------------------------------------------
# What the build keeps: notebook conversions and the notebook pages' stylesheet


def test_notebook_conversion_is_reused_only_for_the_same_notebook(tmp_path: Path, monkeypatch) -> None:
    from tools.site import mkdocs_hooks

    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setattr(mkdocs_hooks, "_ROOT", [tmp_path])
    calls: list[str] = []

    def convert(path: str, **options: object) -> str:
        calls.append(Path(path).read_text(encoding="utf-8"))
        return f"<html>{calls[-1]} {sorted(options.items())}</html>"

    cached = mkdocs_hooks._cached_conversion("nb2html", convert)
    notebook = tmp_path / "docs" / "zh" / "notebooks" / "a.ipynb"
    notebook.parent.mkdir(parents=True)
    notebook.write_text("one", encoding="utf-8")
    first = cached(str(notebook), theme="light")
    assert cached(str(notebook), theme="light") == first == "<html>one [('theme', 'light')]</html>"
    assert cached(str(notebook), theme="dark") != first  # other options: converted again
    notebook.write_text("two", encoding="utf-8")
    assert cached(str(notebook), theme="light") == "<html>two [('theme', 'light')]</html>"
    assert cached(str(notebook), theme="light", execute=True)  # executed: never cached
    assert cached(str(notebook), theme="light", execute=True)
    assert calls == ["one", "one", "two", "two", "two"]


def _used_css_reference(css: str, used: set[str]) -> str:
    """The filter as first written (one tinycss2 parse per call): used_css must equal it."""
    import re

    import tinycss2

    selector_class = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")

    def keep(prelude: str) -> bool:
        return any(set(selector_class.findall(s)) <= used for s in prelude.split(","))

    def rules(parsed: list) -> list[str]:
        out = []
        for rule in parsed:
            if rule.type == "qualified-rule":
                if keep(tinycss2.serialize(rule.prelude)):
                    out.append(rule.serialize())
            elif (
                rule.type == "at-rule"
                and rule.lower_at_keyword in ("media", "supports")
                and rule.content is not None
            ):
                inner = rules(
                    tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
                )
                if inner:
                    out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}")
            elif rule.type == "at-rule":
                out.append(rule.serialize())
        return out

    return "".join(rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)))


CSS = """
:root { --jp-x: 1px; }
@import url("x.css");
.jp-Cell, .jp-Other .jp-Cell { color: red }
.jp-Missing { color: blue }
div.jp-Cell > .jp-OutputArea:hover { margin: 0 }
@media (max-width: 600px) { .jp-Cell { padding: 0 } .jp-Missing { padding: 1px } }
@media print { .jp-Missing { display: none } }
@supports (display: grid) { .jp-OutputArea { display: grid } }
@font-face { font-family: x; src: local(x) }
"""


@pytest.mark.parametrize(
    "used",
    [
        set(),
        {"jp-Cell"},
        {"jp-Cell", "jp-OutputArea"},
        {"jp-Cell", "jp-Other", "jp-Missing", "jp-OutputArea"},
    ],
)
def test_used_css_keeps_the_rules_it_kept_before(used: set[str]) -> None:
    from tools.site.mkdocs_hooks import used_css

    assert used_css(CSS, used) == _used_css_reference(CSS, used)


def test_used_css_from_the_cache_is_the_computed_one(tmp_path: Path, monkeypatch) -> None:
    from tools.site import mkdocs_hooks

    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setattr(mkdocs_hooks, "_ROOT", [tmp_path])
    fresh = mkdocs_hooks._cached_used_css(CSS, {"jp-Cell"})
    assert fresh == mkdocs_hooks.used_css(CSS, {"jp-Cell"})
    assert mkdocs_hooks._cached_used_css(CSS, {"jp-Cell"}) == fresh
    assert mkdocs_hooks._cached_used_css(CSS, {"jp-Cell", "jp-Missing"}) != fresh


def test_page_templates_are_compiled_once_into_the_cache(tmp_path: Path, monkeypatch) -> None:
    from jinja2 import DictLoader, Environment

    from tools.site import mkdocs_hooks

    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setattr(mkdocs_hooks, "_ROOT", [tmp_path])
    for _ in range(2):  # a second build makes a new environment: it loads the compiled template
        env = mkdocs_hooks.on_env(Environment(loader=DictLoader({"t.html": "{{ 1 + 1 }}"})), None, None)
        assert env.get_template("t.html").render() == "2"
    assert len(list((tmp_path / ".cache" / "site" / "jinja").iterdir())) == 1
    monkeypatch.setenv(cache.ENV, "off")
    assert mkdocs_hooks.on_env(Environment(), None, None).bytecode_cache is None
