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


# ---------------------------------------------------------------------------------------------
# What the build keeps per page: search entries and highlighted code; work done once per build


def _search_page(url: str = "a/", anchor_url: str = "#b", content: str | None = None):
    from types import SimpleNamespace

    toc = [SimpleNamespace(id="t", url="#t", children=[SimpleNamespace(id="b", url=anchor_url, children=[])])]
    html = (
        content
        or '<h1 id="t">Title</h1><p>开源模型 text</p><h2 id="b">Part</h2><pre><code>x = 1</code></pre>'
    )
    return SimpleNamespace(content=html, url=url, title="Title", meta={}, toc=toc)


def _entries(add, page) -> list[dict]:
    from material.plugins.search.plugin import SearchIndex

    index = SearchIndex(jieba_dict=None, jieba_dict_user=None)
    add(index, page)
    return index.entries


def test_search_entries_from_the_cache_are_the_plugins(tmp_path: Path, monkeypatch) -> None:
    from material.plugins.search.plugin import SearchIndex

    from tools.site import mkdocs_hooks

    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setattr(mkdocs_hooks, "_ROOT", [tmp_path])
    plugin = SearchIndex.add_entry_from_context  # a build in this process may have wrapped it
    fresh = getattr(plugin, "__wrapped__", plugin)
    cached = mkdocs_hooks._cached_search_entries(fresh)
    page = _search_page()
    expected = _entries(fresh, page)
    assert len(expected) == 2 and expected[1]["location"] == "a/#b"
    assert _entries(cached, page) == expected  # computed and stored
    assert _entries(cached, page) == expected  # read back
    assert len(list((tmp_path / ".cache" / "site" / "search-entries").glob("*.txt"))) == 1
    # Whatever the entries read is part of the key: the page's URL, its table of contents, its HTML.
    for other in (
        _search_page(url="b/"),
        _search_page(anchor_url="#c"),
        _search_page(content="<p>other</p>"),
    ):
        assert _entries(cached, other) == _entries(fresh, other) != expected
    excluded = _search_page()
    excluded.meta = {"search": {"exclude": True}}
    assert _entries(cached, excluded) == []


def test_highlighted_code_from_the_cache_is_pygments(tmp_path: Path, monkeypatch) -> None:
    from pymdownx.highlight import Highlight

    from tools.site import mkdocs_hooks

    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setattr(mkdocs_hooks, "_ROOT", [tmp_path])
    fresh = getattr(Highlight.highlight, "__wrapped__", Highlight.highlight)
    monkeypatch.setattr(Highlight, "highlight", mkdocs_hooks._cached_highlight(fresh))
    anchored, numbered = Highlight(None, anchor_linenums=True), Highlight(None, linenums=True)
    calls = [
        (anchored, ("x = 1\n", "python", "highlight"), {"code_block_count": 1}),
        (anchored, ("x = 1\n", "python", "highlight"), {"code_block_count": 2}),  # other line anchors
        (anchored, ("x = 2\n", "python", "highlight"), {"code_block_count": 1}),
        (anchored, ("x = 1\n", "text", "highlight"), {"code_block_count": 1}),
        (numbered, ("x = 1\n", "python", "highlight"), {"code_block_count": 1}),  # other options
    ]
    outputs = []
    for highlighter, args, kwargs in calls:
        expected = fresh(highlighter, *args, **kwargs)
        assert highlighter.highlight(*args, **kwargs) == expected  # computed and stored
        assert highlighter.highlight(*args, **kwargs) == expected  # read back
        outputs.append(expected)
    assert len(set(outputs)) == len(calls)
    assert len(list((tmp_path / ".cache" / "site" / "highlight").glob("*.txt"))) == len(calls)
    inline = anchored.highlight("x", "python", "", inline=True)  # an element: never cached
    assert inline.tag == "code"


_OLD_STYLE = r"<style[^>]*>(?P<css>.*?)</style>"
_OLD_SCRIPT = r"<script\b[^>]*>(?:(?!</script>).)*?https?://(?:(?!</script>).)*</script>"


def _notebook_page_reference(output: str, page_url: str, site: Path) -> str:
    """The notebook page post-processing as first written (regexes over the whole page)."""
    import hashlib
    import re

    from mkdocs.utils import get_relative_url

    from tools.site import mkdocs_hooks

    used = {name for value in mkdocs_hooks._class_attributes(output) for name in value.split()}

    def shared(match: re.Match[str]) -> str:
        css = match["css"]
        if len(css) < mkdocs_hooks.SHARED_STYLE_MIN:
            return match.group(0)
        css = mkdocs_hooks.used_css(css, used)
        name = f"assets/notebooks/jupyter-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(css, encoding="utf-8")
        return f'<link rel="stylesheet" href="{get_relative_url(name, page_url)}">'

    output = output.replace(
        '<div class="jp-Cell-inputWrapper" tabindex="0">', '<div class="jp-Cell-inputWrapper">'
    )
    return re.sub(_OLD_SCRIPT, "", re.sub(_OLD_STYLE, shared, output, flags=re.S), flags=re.S)


BIG_CSS = CSS * 100  # over SHARED_STYLE_MIN
NOTEBOOK_HTML = [
    f'<style type="text/css">{BIG_CSS}</style><div class="jp-Cell jp-Cell-inputWrapper" tabindex="0">x</div>',
    f'<style>.small {{ color: red }}</style><style>{BIG_CSS}</style><p class="jp-OutputArea">y</p>'
    f'<style media="print">{BIG_CSS.replace("jp-Cell", "jp-Print")}</style>',
    '<script>var a = 1;</script><script type="module">import("https://cdn.example/m.js")</script>'
    '<script src="local.js"></script><script>// http://x in a comment\n</script><p class="jp-Cell">z</p>',
    f"<style>{BIG_CSS}",  # not closed
    "<p>no style, no script</p>",
]


@pytest.mark.parametrize("html", NOTEBOOK_HTML, ids=range(len(NOTEBOOK_HTML)))
def test_notebook_page_post_processing_is_the_regex_one(html: str, tmp_path: Path, monkeypatch) -> None:
    from types import SimpleNamespace

    from tools.site import mkdocs_hooks

    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setattr(mkdocs_hooks, "_ROOT", [tmp_path])
    file = mkdocs_hooks.NotebookPageFile.__new__(mkdocs_hooks.NotebookPageFile)
    page = SimpleNamespace(file=file, meta={}, url="notebooks/a/")
    config = SimpleNamespace(site_dir=str(tmp_path / "site"))
    template = '<html><head><style>.md-nav { x: y }</style></head><body class="md-body">{}</body></html>'
    content = mkdocs_hooks.on_page_content(html, page, config, None)
    assert page.meta["search"]["exclude"] is True
    if f"{BIG_CSS}</style>" in html:
        assert BIG_CSS not in content  # set aside until the page is written
    got = mkdocs_hooks.on_post_page(template.replace("{}", content), page, config)
    expected = _notebook_page_reference(template.replace("{}", html), page.url, tmp_path / "reference")
    assert got == expected
    written = sorted(p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*.css"))
    assert written == sorted(
        p.relative_to(tmp_path / "reference") for p in (tmp_path / "reference").rglob("*.css")
    )
    assert page.notebook_styles == []  # not kept for the rest of the build


def test_a_build_checks_the_programs_inputs_once(tmp_path: Path, monkeypatch) -> None:
    from tools.site import markdown_ext

    for lang in ("zh", "en"):
        (tmp_path / "docs" / lang).mkdir(parents=True)
    scans: list[int] = []
    monkeypatch.setattr(markdown_ext, "scan_all", lambda root: (scans.append(1), ({}, []))[1])
    monkeypatch.setattr(markdown_ext, "_sites", {})
    page = tmp_path / "docs" / "zh" / "p.md"

    def edit(text: str) -> None:
        page.write_text(text, encoding="utf-8")
        os.utime(page, ns=(len(scans) * 10**9 + 10**12, len(scans) * 10**9 + 10**12))

    markdown_ext._load(tmp_path)
    assert len(scans) == 1
    edit('```python {exec="a"}\n```\n')
    markdown_ext._load(tmp_path)  # no build: every page checks
    assert len(scans) == 2
    markdown_ext.hold_inputs(tmp_path, True)  # a build starts: its first page checks
    edit('```python {exec="b"}\n```\n')
    markdown_ext._load(tmp_path)
    assert len(scans) == 3
    edit('```python {exec="c"}\n```\n')
    markdown_ext._load(tmp_path)  # the rest of the build uses what was read
    assert len(scans) == 3
    markdown_ext.hold_inputs(tmp_path, False)  # the build ended
    markdown_ext._load(tmp_path)
    assert len(scans) == 4


def test_without_the_disk_cache_one_kind_evicts_no_other(tmp_path: Path, counted, monkeypatch) -> None:
    monkeypatch.setenv(cache.ENV, "off")
    monkeypatch.setattr(cache, "_memory", {})
    calls, compute = counted
    cache.cached_text(tmp_path, "notebook", ["kept"], compute("notebook"))
    for n in range(cache.MEMORY_ENTRIES + 1):  # a page's code blocks
        cache.cached_text(tmp_path, "block", [str(n)], compute(str(n)))
    cache.cached_text(tmp_path, "notebook", ["kept"], compute("notebook"))
    assert calls.count("notebook") == 1
    cache.cached_text(tmp_path, "block", ["0"], compute("0"))  # the oldest of its kind was dropped
    assert calls.count("0") == 2
