"""Hostile pages (issues 15 and 24): every mistake in a page or a fence is an error with
file:line, for check, run and extract; ids that look like options, data globs that reach
generated files, fences the site and the pipeline would read differently, untranslated copies,
nav entries to missing pages; odd but valid files an author produces (CRLF, BOM, nested fences,
odd encodings and file names) work.

Every case asserts the exit status, the file:line of the message, a safe hint (never deleting a
recording, never a hint that loops) and that nothing recorded changed. Helpers: tests/hostile.py;
fixtures (hostile_repo, recorded): tests/conftest.py."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hostile import (
    EN,
    REPO,
    ZH,
    assert_safe,
    english,
    page,
    render,
    run_cli,
    snapshot,
)

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


# ---------------------------------------------------------------------------------------------
# Pages and fences: every mistake is an error with file:line, for check, run and extract

PAGE_ERRORS = {
    "unknown-options": (
        page("print(1)", opts=' timout="2" colour="red"'),
        ZH,
        3,
        ["timout", "colour", "known options", "timeout", "data", "exec"],
    ),
    "old-syntax": ('# t\n\n```python exec="demo"\nprint(1)\n```\n', ZH, 3, ['python {exec="snippet-id"}']),
    "old-syntax-timeout": (
        '# t\n\n```python exec="demo" timeout="300"\nprint(1)\n```\n',
        ZH,
        3,
        ['python {exec="snippet-id"}'],
    ),
    "syntax-error": (page("x = 1\nprint(x", "y = 2"), ZH, 5, ["syntax error", "demo"]),
    "utf16-page": (("# 页面\n\n" + page("print(1)")).encode("utf-16"), ZH, 1, ["UTF-8"]),
    "latin1-page": ("# t\n\nh\xe9llo\n".encode("latin-1") + page("print(1)").encode(), ZH, 3, ["UTF-8"]),
    "invalid-id": (page("print(1)", snippet_id="Demo_1"), ZH, 3, ["[a-z0-9-]+"]),
    "indented-fence": (
        '# t\n\n- item\n\n    ```python {exec="demo"}\n    print(1)\n    ```\n',
        ZH,
        5,
        ["column 0"],
    ),
    "tab-indented-fence": ('# t\n\n\t```python {exec="demo"}\n\tprint(1)\n\t```\n', ZH, 3, ["column 0"]),
    "fence-never-closed": ('# t\n\n```python {exec="demo"}\nprint(1)\n', ZH, 3, ["unterminated code fence"]),
    "not-python": ('# t\n\n```bash {exec="demo"}\necho 1\n```\n', ZH, 3, ["only python fences"]),
    "option-twice": (page("print(1)", opts=' timeout="3" timeout="4"'), ZH, 3, ["given twice"]),
    "timeout-not-a-number": (page("print(1)", opts=' timeout="soon"'), ZH, 3, ['timeout="300"']),
    "timeout-zero": (page("print(1)", opts=' timeout="0"'), ZH, 3, ["between 0 and 86400"]),
    "option-on-second-fence": (
        '# t\n\n```python {exec="demo"}\nx = 1\n```\n\n```python {exec="demo" timeout="5"}\nprint(x)\n```\n',
        ZH,
        7,
        ["first fence", "line 3"],
    ),
    "data-empty": (page("print(1)", opts=' data=""'), ZH, 3, ["declares nothing"]),
    "data-dotdot": (page("print(1)", opts=' data="../secret.txt"'), ZH, 3, ["without .."]),
    "data-absolute": (page("print(1)", opts=' data="/etc/passwd"'), ZH, 3, ["relative"]),
    "data-matches-nothing": (page("print(1)", opts=' data="sources/*.nothing"'), ZH, 3, ["matches no file"]),
    "data-is-a-page": (page("print(1)", opts=' data="docs/zh/p.md"'), ZH, 3, ["never"]),
    "data-symlink-outside": (
        page("print(1)", opts=' data="sources/*.txt"'),
        ZH,
        3,
        ["outside the repository"],
    ),
    "imports-tools": (page("from tools.recordings import SCHEMA"), ZH, 4, ["imports tools/"]),
    "curly-quotes": (
        "# t\n\n```python {exec=“demo”}\nprint(1)\n```\n",
        ZH,
        3,
        ["cannot read the fence options", 'key="value"'],
    ),
    "full-width-braces": (
        '# t\n\n```python ｛exec="demo"｝\nprint(1)\n```\n',
        ZH,
        3,
        ['python {exec="snippet-id"}'],
    ),
    "missing-exec": (
        '# t\n\n```python {exec="demo" timeout=5}\nprint(1)\n```\n',
        ZH,
        3,
        ["cannot read the fence options"],
    ),
}


@pytest.mark.parametrize("case", list(PAGE_ERRORS))
def test_page_error_fails_check_run_and_extract(case, hostile_repo, tools_cli) -> None:
    text, rel, line, hints = PAGE_ERRORS[case]
    files = {}
    if case == "data-symlink-outside":
        files = {"sources/ok.txt": "ok"}
    root = hostile_repo("print(1)", files=files)
    if case == "data-symlink-outside":
        (root / "sources/link.txt").symlink_to("/etc/hostname")
    (root / rel).write_bytes(text if isinstance(text, bytes) else text.encode())
    (root / EN).write_bytes((root / ZH).read_bytes())
    before = snapshot(root, "recordings", "snippets")
    for command in ("check", "run", "extract"):
        result = tools_cli(root, command)
        assert result.code == 1, (command, result)
        output = result.out + result.err
        assert f"{rel}:{line}: " in output, (command, output)
        for hint in hints:
            assert hint in output, (command, hint, output)
        assert_safe(output)
        assert "nothing was run" in output if command == "run" else True
    assert snapshot(root, "recordings", "snippets") == before


def test_unknown_option_suggests_the_known_one(hostile_repo, tools_cli) -> None:
    root = hostile_repo("print(1)")
    (root / ZH).write_text(page("print(1)", opts=' timout="2"'))
    result = tools_cli(root, "check")
    assert result.code == 1 and 'did you mean timeout="…" for timout?' in result.out, result


ZH_EN_DIFFERENCES = {
    "code-differs": (page("print(1)"), page("print(2)"), f"{EN}:4: ", "en has `print(2)`"),
    "en-fence-missing": (page("print(1)"), "# Page\n", f"{ZH}:3: ", "missing in English"),
    "en-extra-fence": (
        page("print(1)"),
        page("print(1)", "print(3)"),
        f"{EN}:7: ",
        "has 2 fences here but 1",
    ),
    "en-unknown-id": (
        page("print(1)"),
        page("print(1)") + page("print(9)", snippet_id="other", title=""),
        f"{EN}:7: ",
        'unknown id "other"',
    ),
}


@pytest.mark.parametrize("case", list(ZH_EN_DIFFERENCES))
def test_zh_en_difference_fails_run_extract_and_the_build(case, hostile_repo, tools_cli, caplog) -> None:
    zh, en, where, hint = ZH_EN_DIFFERENCES[case]
    root = hostile_repo("print(1)", en=en)
    before = snapshot(root, "recordings", "snippets")
    for command in ("check", "run", "extract"):
        result = tools_cli(root, command)
        assert result.code == 1, (command, result)
        assert where in result.out + result.err and hint in result.out + result.err
        assert_safe(result.out + result.err)
    _, errors = render(root, ZH, caplog)
    assert any(e.startswith(where) and hint in e for e in errors), errors
    assert snapshot(root, "recordings", "snippets") == before


def test_duplicate_id_across_pages(hostile_repo, tools_cli) -> None:
    root = hostile_repo(
        "print(1)", files={"docs/zh/q.md": page("print(2)"), "docs/en/q.md": page("print(2)")}
    )
    result, before = run_cli(tools_cli, root, "run")
    assert result.code == 1 and f'docs/zh/q.md:3: snippet id "demo" is already used on {ZH}:3' in result.err
    assert snapshot(root) == before


# ---------------------------------------------------------------------------------------------
# Odd but valid files an author produces: they work.
ODD_VALID = {
    "empty-page": {"docs/zh/empty.md": b"", "docs/en/empty.md": b""},
    "bom-page": {
        ZH: b"\xef\xbb\xbf" + page("print('bom')").encode(),
        EN: b"\xef\xbb\xbf" + page("print('bom')").encode(),
    },
    "crlf-page": {
        ZH: page("x = 'crlf'", "print(x)").replace("\n", "\r\n").encode(),
        EN: page("x = 'crlf'", "print(x)").replace("\n", "\r\n").encode(),
    },
    "nested-fence": {
        "docs/zh/n.md": b'# t\n\n````markdown\n```python {exec="x"}\nraise\n```\n````\n',
        "docs/en/n.md": b'# t\n\n````markdown\n```python {exec="x"}\nraise\n```\n````\n',
    },
    "tabs-in-code": {
        ZH: page("if True:\n\tprint('tab')").encode(),
        EN: page("if True:\n\tprint('tab')").encode(),
    },
    "no-final-newline": {
        ZH: page("print('end')").rstrip("\n").encode(),
        EN: page("print('end')").rstrip("\n").encode(),
    },
    "tilde-fence": {
        ZH: page("print('tilde')").replace("```", "~~~").encode(),
        EN: english(page("print('tilde')")).replace("```", "~~~").encode(),
    },
    "comments-translated": {
        ZH: page("print('同')  # 中文注释").encode(),
        EN: page("print('同')  # an English comment").encode(),
    },
}


@pytest.mark.parametrize("case", list(ODD_VALID))
def test_odd_but_valid_pages_work(case, hostile_repo, tools_cli) -> None:
    root = hostile_repo("print('plain')", recordings=False)
    for rel, data in ODD_VALID[case].items():
        (root / rel).write_bytes(data)
    result = tools_cli(root, "run", "-q")
    assert result.code == 0, result
    assert_safe(result.out + result.err)
    assert tools_cli(root, "check").code == 0
    recording = load_recording(root, "demo", "cpu")
    if case == "crlf-page":
        assert [c.output for c in recording.cells] == ["", "crlf\n"]
        assert [c.line for c in recording.cells] == [4, 8]
    if case == "bom-page":
        assert recording.cells[0].output == "bom\n"
    if case == "nested-fence":
        assert load_recording(root, "x", "cpu") is None


def test_check_after_a_page_error_never_advises_deleting_the_recording(recorded, tools_cli) -> None:
    (recorded / ZH).write_text(page("print('hello'", "x = 1"))
    result, before = run_cli(tools_cli, recorded, "check")
    assert result.code == 1 and f"{ZH}:4: syntax error" in result.out
    assert "demo.json" not in result.out + result.err  # no follow-up about the good recording
    assert snapshot(recorded) == before


def test_check_after_a_wrongly_encoded_page_never_advises_deleting(recorded, tools_cli) -> None:
    (recorded / ZH).write_bytes((recorded / ZH).read_text().encode("utf-16"))
    result, before = run_cli(tools_cli, recorded, "check")
    assert result.code == 1 and f"{ZH}:1: not valid UTF-8" in result.out
    assert "demo.json" not in result.out + result.err
    assert snapshot(recorded) == before
