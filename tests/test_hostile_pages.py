"""Hostile pages, ids and site configuration (issue 24, second pass): ids that look like options,
data globs that reach generated files, fences the site and the pipeline would read differently,
untranslated copies, nav entries to missing pages, odd encodings and file names.

Every case asserts the exit status, the file:line of the message, a safe hint (never deleting a
recording, never a hint that loops) and that nothing recorded changed. The helpers and fixtures
are those of tests/test_hostile_inputs.py.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_hostile_inputs import REPO, assert_safe, render, snapshot

from tests.conftest import EN, ZH, english, page
from tools.recordings import load_recording, repair_command

# ---------------------------------------------------------------------------------------------
# Ids and data globs: refused with page:line, never a hint that re-records everything

BAD_PAGES = {
    # id that is a command-line option: the hint `tools run --force --force` re-recorded all
    "id-is-an-option": (page("print(1)", snippet_id="--force"), 3, ["starting with a letter"]),
    "id-is-a-short-option": (page("print(1)", snippet_id="-q"), 3, ["starting with a letter"]),
    "id-too-long": (page("print(1)", snippet_id="a" * 200), 3, ["at most 64"]),
    "id-with-space": (page("print(1)", snippet_id="my demo"), 3, ["[a-z0-9-]+"]),
    "id-with-control": (page("print(1)", snippet_id="de\u202emo"), 3, ["[a-z0-9-]+"]),
    # a data glob whose first part matches recordings/: accepted, the recording was always stale
    "data-glob-reaches-recordings": (
        page("print(1)", opts=' data="record*/cpu/*.json"'),
        3,
        ["never a program's inputs", "recordings/"],
    ),
    "data-glob-star-first": (
        page("print(1)", opts=' data="*/ok.txt"'),
        3,
        ["never a program's inputs", 'data="data/*.csv"'],
    ),
    "data-glob-double-star": (page("print(1)", opts=' data="**/*.txt"'), 3, ["never a program's inputs"]),
    # fences that Markdown and the pipeline would read differently
    "exec-fence-in-blockquote": (
        '# t\n\nprose\n\n> ```python {exec="demo"}\n> print(1)\n> ```\n',
        5,
        ["inside a blockquote", "column 0"],
    ),
    "exec-fence-in-html-comment": (
        '# t\n\n<!--\n```python {exec="demo"}\nprint(1)\n```\n-->\n',
        4,
        ["inside an HTML comment"],
    ),
    "exec-fence-in-a-later-comment": (
        '# t\n\n<!-- draft -->\n\n<!-- begin\n\n```python {exec="demo"}\nprint(1)\n```\n\nend -->\n',
        7,
        ["inside an HTML comment"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_PAGES))
def test_bad_ids_globs_and_hidden_fences_fail_with_page_line(case, hostile_repo, tools_cli, caplog) -> None:
    text, line, hints = BAD_PAGES[case]
    root = hostile_repo("print(1)", files={"sources/ok.txt": "ok\n"})
    (root / ZH).write_text(text, encoding="utf-8")
    (root / EN).write_text(english(text), encoding="utf-8")
    before = snapshot(root, "recordings", "snippets")
    for command in ("check", "run", "extract"):
        result = tools_cli(root, command)
        output = result.out + result.err
        assert result.code == 1, (command, output)
        assert f"{ZH}:{line}: " in output, (command, output)
        for hint in hints:
            assert hint in output, (command, hint, output)
        assert "--force --force" not in output and "Traceback" not in output
        assert_safe(output)
    _, errors = render(root, ZH, caplog)
    assert any(error.startswith(f"{ZH}:{line}: ") for error in errors), errors
    assert not any("save the page and build again" in error for error in errors), errors
    assert snapshot(root, "recordings", "snippets") == before


def test_a_recording_named_like_an_option_gets_a_quoted_hint() -> None:
    assert repair_command("demo", "cpu") == "python -m tools run demo --force"
    assert repair_command("--force", "cpu") == "python -m tools run --force -- --force"
    assert repair_command("a b;rm", "cuda") == "python -m tools run --force --profile cuda -- 'a b;rm'"


def test_exec_written_in_prose_and_inline_code_just_works(hostile_repo, tools_cli, caplog) -> None:
    """`exec=` in inline code, in prose and in a plain code example is no fence."""
    prose = (
        '# 页面\n\nWrite `exec="id"` on a fence; exec= alone is prose.\n\n'
        '```markdown\n```python {exec="example"}\n```\n\n'
        'Inline: `` ```python {exec="x"} `` and <!-- a comment with exec= -->.\n'
    )
    root = hostile_repo(
        "print('ran')",
        recordings=False,
        files={"docs/zh/prose.md": prose, "docs/en/prose.md": english(prose)},
    )
    result = tools_cli(root, "run", "-q")
    assert result.code == 0, result
    assert tools_cli(root, "check").code == 0
    html, errors = render(root, "docs/zh/prose.md", caplog)
    assert errors == [] and 'exec="id"' in html
    html, errors = render(root, ZH, caplog)
    assert errors == [] and "ran" in html


def test_an_en_page_copied_from_zh_gets_the_translate_hint(hostile_repo, tools_cli, caplog) -> None:
    root = hostile_repo("print('same')", recordings=False)
    (root / EN).write_bytes((root / ZH).read_bytes())  # an untranslated copy
    assert tools_cli(root, "run", "-q").code == 0
    before = snapshot(root)
    errors = render(root, ZH, caplog)[1] + render(root, EN, caplog)[1]
    assert [error for error in errors if "untranslated copy" in error] == [
        f"{EN}:1: the same title and the same prose before every executable fence as {ZH}: it is "
        "an untranslated copy; translate its title and prose (the code stays the same)"
    ], errors
    assert not any("save the page and build again" in error for error in errors), errors
    for error in errors:
        assert_safe(error)
    assert snapshot(root) == before


# ---------------------------------------------------------------------------------------------
# mkdocs.yml: a nav entry to a missing page is an error naming mkdocs.yml:line


def test_nav_entry_to_a_missing_page_is_an_error(tmp_path) -> None:
    from tools.site.mkdocs_hooks import nav_problems

    for lang in ("zh", "en"):
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "index.md").write_text("# t\n", encoding="utf-8")
    (tmp_path / "docs/zh/only-zh.md").write_text("# t\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: t\nnav:\n  - 首页: index.md\n  - A:\n      - missing.md\n"
        "      - only-zh.md\n  - Web: https://example.org/\n",
        encoding="utf-8",
    )
    nav = [{"首页": "index.md"}, {"A": ["missing.md", "only-zh.md"]}, {"Web": "https://example.org/"}]
    problems = nav_problems(config, nav, tmp_path / "docs", ["zh", "en"])
    assert problems == [
        "mkdocs.yml:5: nav entry 'missing.md' names no page: docs/zh/missing.md, "
        "docs/en/missing.md does not exist; fix the path in nav, or add the page (in every "
        "language)",
        "mkdocs.yml:6: nav entry 'only-zh.md' names no page: docs/en/only-zh.md does not "
        "exist; fix the path in nav, or add the page (in every language)",
    ]


def test_the_real_nav_names_only_existing_pages() -> None:
    import yaml

    from tools.site.mkdocs_hooks import nav_entries

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
    Loader.add_constructor("!ENV", lambda *_: None)
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    entries = [path for _, path in nav_entries(config["nav"]) if not path.startswith("notebooks/")]
    assert len(entries) > 40
    missing = [
        f"docs/{lang}/{path}"
        for path in entries
        for lang in ("zh", "en")
        if not (REPO / "docs" / lang / path).is_file()
    ]
    assert missing == []


NAV_SITE = """\
site_name: t
docs_dir: docs
theme:
  name: material
nav:
  - 首页: index.md
  - Gone: gone.md
plugins:
  - i18n:
      docs_structure: folder
      fallback_to_default: false
      languages:
        - locale: zh
          default: true
          name: 中文
        - locale: en
          name: English
"""


def test_nav_entry_to_a_missing_page_fails_a_strict_build(tmp_path) -> None:
    """The hook in a real (tiny) MkDocs build with mkdocs-static-i18n: without it the build
    passed and every page linked to the missing one, labelled "None"."""
    pytest.importorskip("mkdocs_static_i18n")
    for lang in ("zh", "en"):
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "index.md").write_text("# t\n", encoding="utf-8")
    config = NAV_SITE + f"hooks:\n  - {REPO / 'tools/site/mkdocs_hooks.py'}\n"
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")]
    done = subprocess.run(mkdocs, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    assert (
        "mkdocs.yml:7: nav entry 'Gone: gone.md' names no page: docs/zh/gone.md, "
        "docs/en/gone.md does not exist" in done.stderr
    )
    assert done.stderr.count("nav entry 'Gone: gone.md'") == 1
    assert_safe(done.stderr)
    (tmp_path / "mkdocs.yml").write_text(config.replace("  - Gone: gone.md\n", ""), encoding="utf-8")
    done = subprocess.run(mkdocs, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------------------------------------
# Unusual but legal page shapes: they work everywhere (run, check, the site), or fail with file:line

SHAPES = {
    "bom": lambda text: ("p.md", b"\xef\xbb\xbf" + text.encode()),
    "crlf": lambda text: ("p.md", text.replace("\n", "\r\n").encode()),
    "bom-and-crlf": lambda text: ("p.md", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()),
    "space-in-name": lambda text: ("my page.md", text.encode()),
    "long-name": lambda text: ("p" * 200 + ".md", text.encode()),
    "chinese-name": lambda text: ("页面 一.md", text.encode()),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_odd_page_shapes_work_in_run_check_and_the_site(shape, make_repo, tools_cli, caplog) -> None:
    zh = page("x = 'shape'", "print(x)")
    name, zh_bytes = SHAPES[shape](zh)
    _, en_bytes = SHAPES[shape](english(zh))
    root = make_repo({f"docs/zh/{name}": zh_bytes, f"docs/en/{name}": en_bytes})
    result = tools_cli(root, "run", "-q")
    assert result.code == 0, result
    assert_safe(result.out + result.err)
    assert tools_cli(root, "check").code == 0
    recording = load_recording(root, "demo", "cpu")
    assert [cell.output for cell in recording.cells] == ["", "shape\n"]
    assert [cell.line for cell in recording.cells] == [4, 8]
    for lang in ("zh", "en"):
        html, errors = render(root, f"docs/{lang}/{name}", caplog)
        assert errors == [], (lang, errors)
        assert "shape" in html.split("print", 1)[1], html  # the recorded output, under its fence


def test_a_gb18030_page_fails_the_build_with_file_line_not_a_traceback(tmp_path) -> None:
    """MkDocs itself reads the page: a non-UTF-8 page stopped it with a UnicodeDecodeError."""
    pytest.importorskip("mkdocs_static_i18n")
    for lang in ("zh", "en"):
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "index.md").write_text("# t\n", encoding="utf-8")
    (tmp_path / "docs/zh/a.md").write_bytes("# 标题\n\n第一行\n中文段落。\n".encode("gb18030"))
    (tmp_path / "docs/en/a.md").write_text("# Title\n", encoding="utf-8")
    config = NAV_SITE.replace("  - Gone: gone.md\n", "  - a.md\n")
    config += f"hooks:\n  - {REPO / 'tools/site/mkdocs_hooks.py'}\n"
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")]
    done = subprocess.run(mkdocs, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "docs/zh/a.md:1: not valid UTF-8 at byte 2; re-save the file as UTF-8" in done.stderr
    assert "Traceback" not in done.stderr and "UnicodeDecodeError" not in done.stderr
    assert_safe(done.stderr)
