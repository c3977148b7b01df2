"""Hostile and broken inputs (issue 15): recordings are untrusted data, runs are isolated, nothing
is ever silently wrong.

Every case asserts the exit status, the file:line of the message, the hint (and that it suggests
only safe actions: never deleting a recording) and that nothing recorded changed (the bytes under
recordings/ are the same before and after, unless the case is a successful run). Fixture
repositories in tmp_path with tiny pure-Python snippets keep the corpus fast.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import markdown
import pytest

from tests.conftest import EN, REC, ZH, english, page
from tools.__main__ import main as tools_main
from tools.execution.runner import run_program
from tools.programs import collect_programs
from tools.recordings import load_recording, recording_state, write_recording

FIX = "python -m tools run demo --force"
TOOL_FRAME = re.compile(r'File "[^"]*\.py", line \d+')  # a traceback of the tools (or Python)
# Never suggested: deleting files (`git rm` keeps them in history), discarding work in git.
UNSAFE = re.compile(r"\bdelete\b|(?<!git )\brm -|git (?:checkout|reset|clean|restore)|--hard", re.I)
REPO = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers


def snapshot(root: Path, *folders: str) -> dict[str, bytes]:
    """Bytes of every file under the folders (default recordings/), except the run lock."""
    found = {}
    for folder in folders or ("recordings",):
        base = root / folder
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = b"-> " + os.fsencode(os.readlink(path))
            elif path.name != ".lock" and path.is_file():
                found[rel] = path.read_bytes()
    return found


def assert_safe(text: str) -> None:
    assert not UNSAFE.search(text), f"unsafe hint in: {text}"
    assert not TOOL_FRAME.search(text), f"tool traceback in: {text}"


def dead(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(") ", 1)[1][0] in "ZX"
    except (OSError, IndexError):
        return True


def wait_dead(pid: int, seconds: float = 3.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if dead(pid):
            return True
        time.sleep(0.05)
    return dead(pid)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A repository with a real, fresh recording of a two-cell snippet with one figure."""
    root = tmp_path_factory.mktemp("template")
    text = page("print('hello')", "import matplotlib.pyplot as plt\nplt.plot([1, 2])")
    for rel, content in ((ZH, text), (EN, english(text))):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content, encoding="utf-8")
    assert tools_main(["run", "--root", str(root), "-q"]) == 0
    assert tools_main(["check", "--root", str(root)]) == 0
    return root


@pytest.fixture
def recorded(template, tmp_path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    return root


def figure_of(root: Path) -> Path:
    return root / "recordings/cpu/demo" / load_recording(root, "demo", "cpu").cells[1].figures[0]


def render(root: Path, rel: str, caplog) -> tuple[str, list[str]]:
    """Render one page with the site's Markdown extension; (html, error messages logged)."""
    from tools.site.markdown_ext import makeExtension

    caplog.clear()
    md = markdown.Markdown(extensions=[makeExtension(root=str(root)), "admonition", "pymdownx.superfences"])
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.tools"):
        html = md.convert((root / rel).read_text(encoding="utf-8-sig"))
    return html, [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def run_cli(tools_cli, root: Path, *args: str):
    before = snapshot(root)
    result = tools_cli(root, *args)
    assert_safe(result.out + result.err)
    return result, before


# ---------------------------------------------------------------------------------------------
# 1-3. Recordings are untrusted input


def _set(path: str, value):
    def mutate(root: Path) -> None:
        recording = json.loads((root / REC).read_text())
        target = recording
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        last = keys[-1]
        if value is KeyError:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
        (root / REC).write_text(json.dumps(recording))

    return mutate


def _write(data: bytes):
    return lambda root: (root / REC).write_bytes(data)


def _figure_symlink(root: Path) -> None:
    figure = figure_of(root)
    figure.unlink()
    figure.symlink_to("/etc/passwd")


def _folder_symlink(root: Path) -> None:
    outside = root.parent / "outside"
    shutil.copytree(root / "recordings/cpu/demo", outside)
    shutil.rmtree(root / "recordings/cpu/demo")
    (root / "recordings/cpu/demo").symlink_to(outside)


def _figure_replaced(root: Path) -> None:
    figure_of(root).write_bytes(b"\x89PNG not the recorded figure")


BROKEN_RECORDINGS = {
    "figure-traversal": (_set("cells.1.figures", ["../../../../../../etc/passwd"]), "figure"),
    "figure-absolute": (_set("cells.1.figures", ["/etc/passwd"]), "figure"),
    "figure-symlink-outside": (_figure_symlink, "figure"),
    "figure-folder-symlink": (_folder_symlink, "figure"),
    "figure-bytes-replaced": (_figure_replaced, "figure"),
    "figure-missing": (lambda root: figure_of(root).unlink(), "is missing"),
    "figures-a-string": (_set("cells.1.figures", "cell2-fig1-0123abcd.png"), "must be a list"),
    "recording-empty-list": (_write(b"[]"), "must be an object"),
    "recording-null": (_write(b"null"), "must be an object"),
    "cells-of-ints": (_set("cells", [1]), "must be an object"),
    "cells-null": (_set("cells", None), "must be a list"),
    "output-a-dict": (_set("cells.0.output", {"text": "x"}), "must be str"),
    "index-a-bool": (_set("cells.0.index", True), "must be int"),
    "indexes-out-of-order": (_set("cells.0.index", 2), "cell indexes"),
    "missing-fingerprint": (_set("fingerprint", KeyError), "lacks 'fingerprint'"),
    "missing-output": (_set("cells.0.output", KeyError), "lacks 'output'"),
    "wrong-id": (_set("id", "other"), "not of 'demo'"),
    "wrong-profile": (_set("profile", "cuda"), "not of 'demo'"),
    "old-schema": (_set("schema", 1), "schema 1"),
    "status-error": (_set("status", "error"), "status"),
    "bad-json": (_write(b'{"schema": 2, "id": "de'), "not valid JSON"),
    "bad-utf8": (_write(b'{"schema": 2, "id": "\xff\xfe"}'), "not valid JSON"),
    "utf16-json": (_write('{"schema": 2}'.encode("utf-16")), "not valid JSON"),
    "deeply-nested-json": (_write(b"[" * 100_000 + b"]" * 100_000), "not valid JSON"),
    "output-too-long": (_set("cells.0.output", "x" * 1_000_000), "characters of output"),
    "recording-is-a-folder": (
        lambda root: ((root / REC).unlink(), (root / REC).mkdir()),
        "is not a regular file",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_RECORDINGS))
def test_broken_recording_is_reported_as_broken_everywhere(case, recorded, tools_cli, caplog) -> None:
    mutate, why = BROKEN_RECORDINGS[case]
    mutate(recorded)
    before = snapshot(recorded)
    # check: one problem at the page:line of the first fence, with the one repair command.
    result = tools_cli(recorded, "check")
    assert result.code == 1, result
    [problem] = [line for line in result.out.splitlines() if "recording" in line]
    assert problem.startswith(f'{ZH}:3: cpu recording of "demo" is broken (')
    assert why in problem and problem.endswith(f"run `{FIX}`")
    assert_safe(result.out + result.err)
    state = recording_state(recorded, collect_programs(recorded)["demo"], "demo", "cpu")
    assert (state.state, state.recording, state.usable, state.status) == ("broken", None, False, "broken")
    # extract and the site files: no crash, nothing read from outside the recordings folder.
    assert tools_cli(recorded, "extract").code == 0
    generated = tools_cli(recorded, "site-files")
    assert generated.code == 0, generated
    assert_safe(generated.out + generated.err)
    served = recorded / "docs/assets/generated"
    assert not (served / "figures").exists() or not any((served / "figures").rglob("*.png"))
    for path in recorded.joinpath("docs").rglob("*"):
        if path.is_file():
            assert b"root:x:0:0" not in path.read_bytes() and b"cm9vdDp4OjA6" not in path.read_bytes()
    # the build: an error (strict fails) at the fence, a warning box instead of the output.
    html, errors = render(recorded, ZH, caplog)
    assert any(e.startswith(f"{ZH}:3: snippet 'demo': broken cpu recording") for e in errors), errors
    assert 'class="snippet-output' not in html and "<img" not in html
    assert 'class="admonition warning"' in html and FIX in html
    assert snapshot(recorded) == before


def test_the_repair_command_of_a_broken_recording_repairs_it(recorded, tools_cli) -> None:
    figure_of(recorded).unlink()
    result = tools_cli(recorded, "run", "demo", "--force", "-q")
    assert result.code == 0, result
    assert tools_cli(recorded, "check").code == 0


def test_plain_run_re_records_a_broken_recording(recorded, tools_cli) -> None:
    figure_of(recorded).unlink()
    result = tools_cli(recorded, "run", "-q")
    assert result.code == 0 and "1 of 1 snippets need a run" in result.out, result
    assert load_recording(recorded, "demo", "cpu") is not None


def test_crash_between_figures_and_json_leaves_a_usable_recording(recorded, monkeypatch) -> None:
    before = snapshot(recorded)
    program = collect_programs(recorded)["demo"]
    result = run_program(recorded, program, commit="test", record=False)
    assert result.ok, result.message
    real_replace = os.replace

    def crash(src, dst, *args, **kwargs):
        if str(dst).endswith(".json"):
            raise KeyboardInterrupt  # killed right before the JSON rename
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", crash)
    figures = {"cell2-fig1-00000000.png": b"new figure"}
    cells = result.recording.cells
    recording = replace(
        result.recording, cells=(cells[0], replace(cells[1], figures=tuple(figures)), *cells[2:])
    )
    with pytest.raises(KeyboardInterrupt):
        write_recording(recorded / "recordings/cpu", "demo", recording, figures=figures)
    monkeypatch.setattr(os, "replace", real_replace)
    assert recording_state(recorded, program, "demo", "cpu").state == "fresh"
    after = snapshot(recorded)
    assert {k: v for k, v in after.items() if k in before} == before


def test_env_drift_is_a_note_and_still_shown(recorded, tools_cli, caplog) -> None:
    _set("env.torch", "2.9.0")(recorded)
    result, before = run_cli(tools_cli, recorded, "check")
    assert result.code == 0, result
    assert f'note: {ZH}:3: cpu recording of "demo" was recorded with torch 2.9.0' in result.err
    html, errors = render(recorded, ZH, caplog)
    assert errors == [] and 'class="snippet-output' in html
    assert snapshot(recorded) == before


def test_a_recording_without_fence_is_a_warning(recorded, tools_cli) -> None:
    shutil.copy(recorded / REC, recorded / "recordings/cpu/gone.json")
    result, before = run_cli(tools_cli, recorded, "check")
    assert result.code == 0 and 'recordings/cpu/gone.json:1: no fence has id "gone"' in result.err
    assert snapshot(recorded) == before


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


# ---------------------------------------------------------------------------------------------
# Runs that fail: page:line, a clear cause, the previous recording byte-identical

RUN_FAILURES = {
    "raise": (
        "x = 1\nraise ValueError('bad value')",
        f"demo failed at {ZH}:5 (cell 1): ValueError",
        ["ValueError: bad value"],
    ),
    "raise-in-second-cell": (
        ("x = 1", "def f():\n    return 1 / 0\nf()"),
        f"demo failed at {ZH}:9 (cell 2): ZeroDivisionError",
        [],
    ),
    "sys-exit-3": ("import sys\nsys.exit(3)", f"demo failed at {ZH}:5 (cell 1): SystemExit", ["sys.exit()"]),
    "sys-exit-0": ("import sys\nsys.exit(0)", f"demo failed at {ZH}:5 (cell 1): SystemExit", []),
    "os-exit-0": (
        "import os\nos._exit(0)",
        f"demo exited with status 0 without a result ({ZH}:4",
        ["os._exit"],
    ),
    "os-exit-5": ("import os\nos._exit(5)", f"demo exited with status 5 without a result ({ZH}:4", []),
    "sigkill-self": (
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
        f"demo was killed by signal 9 (SIGKILL) without a result ({ZH}:4",
        [],
    ),
    "segfault": (
        "import ctypes\nctypes.string_at(0)",
        f"demo was killed by signal 11 (SIGSEGV) without a result ({ZH}:4",
        [],
    ),
    "input": ("name = input('name? ')", f"demo failed at {ZH}:4 (cell 1): EOFError", ["no input"]),
    "keyboard-interrupt": (
        "raise KeyboardInterrupt",
        f"demo failed at {ZH}:4 (cell 1): KeyboardInterrupt",
        [],
    ),
    "recursion": (
        "def f(n):\n    return f(n + 1)\nf(0)",
        f"demo failed at {ZH}:5 (cell 1): RecursionError",
        [],
    ),
    "hang": (
        "while True:\n    pass",
        f"demo timed out after 2 s ({ZH}:4, last cell started)",
        [f'raise timeout="…" on its first fence ({ZH}:3)'],
    ),
    "sleep-past-timeout": ("import time\ntime.sleep(60)", f"demo timed out after 2 s ({ZH}:4", []),
}


@pytest.mark.parametrize("case", list(RUN_FAILURES))
def test_failing_run_points_at_the_page_and_keeps_the_recording(case, hostile_repo, tools_cli) -> None:
    code, message, hints = RUN_FAILURES[case]
    cells = code if isinstance(code, tuple) else (code,)
    root = hostile_repo(*cells, opts=' timeout="2"')
    start = time.monotonic()
    result, before = run_cli(tools_cli, root, "run", "--force", "-q")
    assert time.monotonic() - start < 20
    assert result.code == 1, result
    assert f"FAIL {message}" in result.err, result.err
    for hint in hints:
        assert hint in result.err, (hint, result.err)
    assert "1 of 1 failed: demo; their previous recordings are kept" in result.err
    assert snapshot(root) == before


def test_a_cell_that_closes_stdout_does_not_silence_the_next(hostile_repo, tools_cli) -> None:
    root = hostile_repo(
        "import os\nprint('before')\nos.close(1)\nos.close(2)", "print('after')", recordings=False
    )
    result = tools_cli(root, "run", "-q")
    assert result.code == 0, result
    assert [c.output for c in load_recording(root, "demo", "cpu").cells] == ["before\n", "after\n"]


def test_huge_output_is_truncated(hostile_repo, tools_cli) -> None:
    root = hostile_repo(
        "import sys\nfor _ in range(500):\n    sys.stdout.write(('x' * 99 + '\\n') * 1000)", recordings=False
    )
    start = time.monotonic()
    result = tools_cli(root, "run", "-q")
    elapsed = time.monotonic() - start
    assert result.code == 0, result
    [cell] = load_recording(root, "demo", "cpu").cells
    assert len(cell.output) < 20_100 and "characters truncated …]" in cell.output
    assert elapsed < 30


def test_odd_output_is_recorded_and_escaped_on_the_page(hostile_repo, tools_cli, caplog) -> None:
    root = hostile_repo(
        r"""
import os, sys
print('<script>alert(1)</script></pre></code>{{ config.site_name }}{% include "x" %}')
os.write(1, b'bad utf-8: \xff\xfe\n')
print('\x1b[31mred\x1b[0m 中文', file=sys.stderr)
""",
        recordings=False,
    )
    assert tools_cli(root, "run", "-q").code == 0
    [cell] = load_recording(root, "demo", "cpu").cells
    assert cell.output == (
        "<script>alert(1)</script></pre></code>{{ config.site_name }}"
        '{% include "x" %}\nbad utf-8: \ufffd\ufffd\nred 中文\n'
    )
    html, errors = render(root, ZH, caplog)
    assert errors == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/pre&gt;&lt;/code&gt;{{ config.site_name }}" in html
    assert "<script>alert" not in html


# ---------------------------------------------------------------------------------------------
# 4. Processes: nothing outlives a run, the timeout bounds the whole run


def _pid_file(root: Path) -> Path:
    return root.parent / "child.pid"


ESCAPES = {
    # (cell code with PIDFILE, fence timeout, expect ok)
    "setsid-child-past-timeout": (
        "import subprocess, time\np = subprocess.Popen(['sleep', '60'], start_new_session=True)\n"
        "open(PIDFILE, 'w').write(str(p.pid))\ntime.sleep(60)",
        "3",
        False,
    ),
    "child-calls-os-setsid-past-timeout": (
        "import subprocess, sys, time\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import os, time; os.setsid(); time.sleep(60)'])\n"
        "open(PIDFILE, 'w').write(str(p.pid))\ntime.sleep(60)",
        "3",
        False,
    ),
    "setsid-child-without-environment": (
        "import subprocess, time\n"
        "p = subprocess.Popen(['sleep', '60'], start_new_session=True, env={})\n"
        "open(PIDFILE, 'w').write(str(p.pid))\ntime.sleep(60)",
        "3",
        False,
    ),
    "double-fork-daemon-after-success": (
        "import os, time\nr, w = os.pipe()\nif os.fork() == 0:\n    os.setsid()\n"
        "    if os.fork() == 0:\n        os.write(w, str(os.getpid()).encode())\n"
        "        time.sleep(60)\n    os._exit(0)\nos.close(w)\n"
        "open(PIDFILE, 'w').write(os.read(r, 20).decode())\nprint('parent done')",
        "30",
        True,
    ),
    "child-that-never-exits": (
        "import subprocess\np = subprocess.Popen(['sleep', '600'])\n"
        "open(PIDFILE, 'w').write(str(p.pid))\nprint('left running')",
        "30",
        True,
    ),
    "child-ignoring-sigterm": (
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import signal, time; "
        "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)'], start_new_session=True)\n"
        "open(PIDFILE, 'w').write(str(p.pid))\nprint('ok')",
        "30",
        True,
    ),
}


@pytest.mark.parametrize("case", list(ESCAPES))
def test_no_process_outlives_the_run(case, hostile_repo, tools_cli) -> None:
    code, timeout, ok = ESCAPES[case]
    root = hostile_repo("print('first')", recordings=False)
    pid_file = _pid_file(root)
    (root / ZH).write_text(
        page("print('first')", code.replace("PIDFILE", repr(str(pid_file))), opts=f' timeout="{timeout}"')
    )
    (root / EN).write_text((root / ZH).read_text())
    start = time.monotonic()
    result = tools_cli(root, "run", "-q")
    elapsed = time.monotonic() - start
    assert result.code == (0 if ok else 1), result
    if not ok:
        assert f"FAIL demo timed out after {timeout} s ({ZH}:8, last cell started)" in result.err
        assert elapsed < float(timeout) + 8
    else:
        assert elapsed < 15
    assert wait_dead(int(pid_file.read_text())), "a child of the snippet outlived the run"


def test_two_runs_at_once_the_second_refuses(hostile_repo, tools_cli) -> None:
    root = hostile_repo("import time\ntime.sleep(4)\nprint('first run')", recordings=False)
    first = subprocess.Popen(
        [sys.executable, "-m", "tools", "run", "--force", "--root", str(root)],
        cwd=REPO,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert first.stderr is not None
    for line in first.stderr:
        if "cell 1/1 started" in line:
            break
    before = snapshot(root)
    second = tools_cli(root, "run", "--force", "-q")
    assert second.code == 1, second
    assert re.search(
        r"error: another `python -m tools run` \(pid \d+\) is recording into "
        r"recordings/cpu/; wait for it to finish",
        second.err,
    ), second.err
    assert_safe(second.out + second.err)
    assert snapshot(root) == before
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert load_recording(root, "demo", "cpu").cells[0].output == "first run\n"


def test_hub_ids_fail_fast_offline(hostile_repo, tools_cli, monkeypatch, tmp_path) -> None:
    pytest.importorskip("transformers")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf-home"))
    root = hostile_repo(
        "from transformers import AutoConfig\nAutoConfig.from_pretrained('gpt2')", opts=' timeout="60"'
    )
    start = time.monotonic()
    result, before = run_cli(tools_cli, root, "run", "-q")
    elapsed = time.monotonic() - start
    assert result.code == 1 and f"FAIL demo failed at {ZH}:5 (cell 1): OSError" in result.err
    assert "offline" in result.err.lower()
    assert elapsed < 30, elapsed
    print(f"offline hub failure: {elapsed:.1f} s")
    assert snapshot(root) == before


# ---------------------------------------------------------------------------------------------
# 6. Snippets cannot change the repository, nor depend on files they do not declare

WRITES = {
    "absolute-write-recording": (
        "open(ROOT + '/recordings/cpu/demo.json', 'w').write('{}')",
        "recordings/cpu/demo.json",
    ),
    "absolute-write-page": (
        "from pathlib import Path\nPath(ROOT, 'docs/zh/p.md').write_text('x')",
        "docs/zh/p.md",
    ),
    "remove-recording": (
        "import os\nos.remove(ROOT + '/recordings/cpu/demo.json')",
        "recordings/cpu/demo.json",
    ),
    "rmtree-recordings": ("import shutil\nshutil.rmtree(ROOT + '/recordings')", "recordings"),
    "rename-page": ("import os\nos.rename(ROOT + '/docs/zh/p.md', ROOT + '/docs/zh/q.md')", "docs/zh/p.md"),
    "chdir-to-repo-and-write": (
        "import os\nos.chdir(ROOT)\nopen('new-file.txt', 'w').write('x')",
        "new-file.txt",
    ),
    "hard-link-then-write": (
        "import os\nos.link(ROOT + '/docs/zh/p.md', 'p.md')\nopen('p.md', 'w').write('x')",
        "docs/zh/p.md",
    ),
    "symlink-then-write": (
        "import os\nos.symlink(ROOT + '/recordings/cpu/demo.json', 'r.json')\nopen('r.json', 'w').write('x')",
        "recordings/cpu/demo.json",
    ),
    "write-caught": (
        "try:\n    open(ROOT + '/recordings/cpu/demo.json', 'a').write('x')\n"
        "except OSError:\n    print('tried')",
        "recordings/cpu/demo.json",
    ),
    "shell-write-recording": (
        "import subprocess\nsubprocess.run(['sh', '-c', 'echo x > ' + ROOT + "
        "'/recordings/cpu/demo.json'], check=True)",
        "recordings/cpu/demo.json",
    ),
    "shell-new-recording": (
        "import subprocess\nsubprocess.run(['sh', '-c', 'echo x > ' + ROOT + "
        "'/recordings/cpu/evil.json'], check=True)",
        "recordings/cpu/evil.json",
    ),
}


@pytest.mark.parametrize("case", list(WRITES))
def test_a_snippet_cannot_write_into_the_repository(case, hostile_repo, tools_cli) -> None:
    code, target = WRITES[case]
    root = hostile_repo("print(1)")
    (root / ZH).write_text(page(code.replace("ROOT", repr(str(root)))))
    (root / EN).write_text((root / ZH).read_text())
    pages = snapshot(root, "docs")
    result, before = run_cli(tools_cli, root, "run", "--force", "-q")
    assert result.code == 1, result
    assert f'FAIL {ZH}:3: snippet "demo" wrote into the repository' in result.err, result.err
    assert target in result.err and "nothing was recorded" in result.err
    assert snapshot(root) == before
    assert snapshot(root, "docs") == pages
    assert not (root / "new-file.txt").exists()


def test_a_declared_data_file_changed_during_the_run_is_not_recorded(hostile_repo, tools_cli) -> None:
    root = hostile_repo("print(1)", files={"sources/a.txt": "A"})
    code = (
        "import subprocess\nprint(open('sources/a.txt').read())\n"
        f"subprocess.run(['sh', '-c', 'echo B > {root}/sources/a.txt'], check=True)"
    )
    (root / ZH).write_text(page(code, opts=' data="sources/a.txt"'))
    (root / EN).write_text(english((root / ZH).read_text()))
    result, before = run_cli(tools_cli, root, "run", "--force", "-q")
    assert result.code == 1, result
    assert f'FAIL {ZH}:3: data file(s) sources/a.txt of "demo" changed during the run' in result.err
    assert "nothing was recorded" in result.err
    assert snapshot(root) == before


def test_relative_writes_land_in_the_scratch_copy(hostile_repo, tools_cli) -> None:
    root = hostile_repo(
        "from pathlib import Path\nPath('recordings/cpu').mkdir(parents=True, exist_ok=True)\n"
        "Path('recordings/cpu/demo.json').write_text('junk')\nprint('wrote')"
    )
    result = tools_cli(root, "run", "--force", "-q")
    assert result.code == 0, result
    assert load_recording(root, "demo", "cpu").cells[0].output == "wrote\n"


UNDECLARED = {
    "relative-read": ("print(open('sources/a.txt').read())", "sources/a.txt", 'data="sources/a.txt"'),
    "relative-read-caught": (
        "try:\n    open('sources/a.txt')\nexcept FileNotFoundError:\n    print('no data')",
        "sources/a.txt",
        'data="sources/a.txt"',
    ),
    "absolute-read": ("print(open(ROOT + '/sources/a.txt').read())", "sources/a.txt", 'data="sources/a.txt"'),
    "second-file": (
        "print(open('sources/a.txt').read(), open('data/b.csv').read())",
        "data/b.csv",
        'data="sources/a.txt data/b.csv"',
    ),
}


@pytest.mark.parametrize("case", list(UNDECLARED))
def test_an_undeclared_read_fails_with_the_data_to_add(case, hostile_repo, tools_cli) -> None:
    code, name, data = UNDECLARED[case]
    files = {"sources/a.txt": "A", "data/b.csv": "b"}
    opts = ' data="sources/a.txt"' if case == "second-file" else ""
    root = hostile_repo("print(1)", files=files)
    (root / ZH).write_text(page(code.replace("ROOT", repr(str(root))), opts=opts))
    (root / EN).write_text((root / ZH).read_text())
    result, before = run_cli(tools_cli, root, "run", "--force", "-q")
    assert result.code == 1, result
    assert (
        f'FAIL {ZH}:3: snippet "demo" reads {name}, which its fence does not declare; '
        f"add {data}" in result.err
    ), result.err
    assert snapshot(root) == before


def test_declared_data_is_read_and_its_change_makes_the_recording_stale(hostile_repo, tools_cli) -> None:
    root = hostile_repo(
        "print(open('sources/a.txt').read())",
        opts=' data="sources/*.txt"',
        files={"sources/a.txt": "A"},
        recordings=False,
    )
    assert tools_cli(root, "run", "-q").code == 0
    assert load_recording(root, "demo", "cpu").cells[0].output == "A\n"
    (root / "sources/a.txt").write_text("B")
    result, before = run_cli(tools_cli, root, "check")
    assert result.code == 1
    assert (
        f'{ZH}:3: cpu recording of "demo" is data-changed (data file sources/a.txt changed); '
        f"run `{FIX}`" in result.out
    )
    assert snapshot(root) == before


# ---------------------------------------------------------------------------------------------
# Command line


def test_unknown_snippet_id(hostile_repo, tools_cli) -> None:
    root = hostile_repo("print(1)")
    result, before = run_cli(tools_cli, root, "run", "nosuch")
    assert result.code == 2 and "unknown snippet id(s) nosuch; known ids: demo" in result.err
    assert snapshot(root) == before


def test_cuda_profile_without_a_gpu(hostile_repo, tools_cli, monkeypatch) -> None:
    monkeypatch.setattr("tools.execution.cli.detect_profile", lambda: "cpu")
    root = hostile_repo("print(1)")
    result, before = run_cli(tools_cli, root, "run", "--profile", "cuda")
    assert result.code == 2 and "--profile cuda needs its device (GPU" in result.err
    assert snapshot(root) == before


def test_recordings_folder_that_is_a_file(hostile_repo, tools_cli) -> None:
    root = hostile_repo("print(1)", recordings=False)
    (root / "recordings").mkdir()
    (root / "recordings/cpu").write_text("not a folder")
    result, before = run_cli(tools_cli, root, "run", "-q")
    assert result.code == 1, result
    assert (
        "error: cannot record: recordings/cpu: File exists; recordings/cpu/ must be a "
        "writable folder; nothing was recorded" in result.err
    )
    assert snapshot(root) == before


def test_stale_script_is_reported_with_the_safe_command(hostile_repo, tools_cli) -> None:
    root = hostile_repo("print(1)")
    (root / "snippets/demo.py").write_text("# edited by hand\n")
    result, before = run_cli(tools_cli, root, "check", "--no-recordings")
    assert result.code == 1
    assert "snippets/demo.py:1: out of date with docs/zh/p.md; run `python -m tools extract`" in result.out
    assert snapshot(root) == before


# ---------------------------------------------------------------------------------------------
# 7. nav_translations keys that match no nav title


def _i18n_hooks():
    import importlib.util

    spec = importlib.util.spec_from_file_location("i18n_hooks_under_test", REPO / "tools/site/i18n_hooks.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


MKDOCS_YML = """\
site_name: t
nav:
  - 首页: index.md
  - 五篇文章:
      - a.md
plugins:
  - i18n:
      languages:
        - locale: en
          nav_translations:
            首页: Home
            五遍文章: The five articles
"""


def test_nav_translation_key_that_matches_no_title_is_an_error(tmp_path) -> None:
    hooks = _i18n_hooks()
    path = tmp_path / "mkdocs.yml"
    path.write_text(MKDOCS_YML, encoding="utf-8")
    nav = [{"首页": "index.md"}, {"五篇文章": ["a.md"]}]
    problems = hooks.nav_translation_problems(
        path, nav, {"en": {"首页": "Home", "五遍文章": "The five articles"}}
    )
    assert problems == [
        f"{path.name}:12: nav_translations (en) key '五遍文章' matches no title in "
        "nav; the titles are: 首页, 五篇文章 (fix the key, or remove it if the "
        "section is gone)"
    ]
    assert hooks.nav_translation_problems(path, nav, {"en": {"首页": "Home"}}) == []


def test_nav_translation_check_runs_in_the_real_config(caplog) -> None:
    """The project's own mkdocs.yml has no stray key (the hook runs on every build)."""
    import yaml

    hooks = _i18n_hooks()

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
    Loader.add_constructor("!ENV", lambda *_: None)
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    [i18n] = [p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p]
    translations = {lang["locale"]: lang.get("nav_translations") or {} for lang in i18n["languages"]}
    assert hooks.nav_translation_problems(REPO / "mkdocs.yml", config["nav"], translations) == []


def test_nav_translation_typo_fails_a_strict_build(tmp_path) -> None:
    """The hook in a real (tiny) MkDocs build with mkdocs-static-i18n."""
    pytest.importorskip("mkdocs_static_i18n")
    for lang, title in (("zh", "首页"), ("en", "Home")):
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "index.md").write_text(f"# {title}\n", encoding="utf-8")
        (tmp_path / "docs" / lang / "a.md").write_text("# A\n", encoding="utf-8")
    config = MKDOCS_YML.replace(
        "plugins:\n  - i18n:\n", "plugins:\n  - i18n:\n      docs_structure: folder\n"
    )
    config = config.replace(
        "        - locale: en\n",
        "        - locale: zh\n          default: true\n"
        "          name: 中文\n        - locale: en\n          name: English\n",
    )
    config += f"hooks:\n  - {REPO / 'tools/site/i18n_hooks.py'}\n"
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    line = config.splitlines().index("            五遍文章: The five articles") + 1
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")]
    done = subprocess.run(mkdocs, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    assert f"mkdocs.yml:{line}: nav_translations (en) key '五遍文章' matches no title" in done.stderr
    assert_safe(done.stderr)
    (tmp_path / "mkdocs.yml").write_text(config.replace("五遍文章", "五篇文章"), encoding="utf-8")
    done = subprocess.run(mkdocs, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr


def test_real_pages_and_recordings_a_traversal_is_broken_not_embedded(tmp_path, tools_cli) -> None:
    """End to end on a copy of this repository's pages and recordings (issue 15, case 1)."""
    recording = REPO / "recordings/cpu/self-attention.json"
    if not recording.is_file():
        pytest.skip("no self-attention recording")
    root = tmp_path / "copy"
    for name in ("docs/zh", "docs/en", "recordings", "snippets", "sources", "data"):
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name,
                root / name,
                ignore=shutil.ignore_patterns("*.ipynb", "generated", "vendor", ".lock"),
            )
    data = json.loads((root / "recordings/cpu/self-attention.json").read_text())
    with_figures = next(cell for cell in data["cells"] if cell["figures"])
    with_figures["figures"] = ["../../../../../../etc/passwd"]
    (root / "recordings/cpu/self-attention.json").write_text(json.dumps(data))
    program = collect_programs(root)["self-attention"]
    before = snapshot(root)
    result = tools_cli(root, "check")
    assert result.code == 1
    assert f'{program.where}: cpu recording of "self-attention" is broken (' in result.out
    assert "run `python -m tools run self-attention --force`" in result.out
    assert_safe(result.out + result.err)
    assert tools_cli(root, "site-files", "-q").code == 0
    for path in (root / "docs").rglob("*"):
        if path.is_file():
            assert b"root:x:0:0" not in path.read_bytes() and b"cm9vdDp4OjA6" not in path.read_bytes()
    assert snapshot(root) == before


# ---------------------------------------------------------------------------------------------
# Figures are untrusted files too: a PNG by signature, within bounds, before anyone serves them


def _swap_figure(root: Path, data: bytes) -> str:
    import hashlib
    import json

    path = root / "recordings/cpu/demo.json"
    recording = json.loads(path.read_text(encoding="utf-8"))
    name = f"cell1-fig1-{hashlib.sha256(data).hexdigest()[:8]}.png"
    recording["cells"][0]["figures"] = [name]
    (root / "recordings/cpu/demo").mkdir(parents=True, exist_ok=True)
    (root / "recordings/cpu/demo" / name).write_bytes(data)
    path.write_text(json.dumps(recording), encoding="utf-8")
    return name


@pytest.mark.parametrize(
    "data, reason",
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "is not a PNG"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (30000).to_bytes(4, "big") * 2 + b"\x08\x06\x00\x00\x00",
            "beyond the bounds of a figure",
        ),
    ],
    ids=["svg-renamed-png", "png-bomb-30000x30000"],
)
def test_a_figure_that_is_not_a_bounded_png_makes_the_recording_broken(
    recorded, tools_cli, data, reason
) -> None:
    _swap_figure(recorded, data)
    result = tools_cli(recorded, "check")
    assert result.code == 1 and "is broken" in result.out and reason in result.out
    assert "Traceback" not in result.out + result.err


# Special files never hang or exhaust memory: every command answers with the file and a fix.


def test_a_fifo_recording_or_page_is_an_error_not_a_hang(recorded, tools_cli) -> None:
    import os

    os.unlink(recorded / REC)
    os.mkfifo(recorded / REC)
    result = tools_cli(recorded, "check")
    assert result.code == 1 and "is not a regular file" in result.out
    os.unlink(recorded / REC)
    page = recorded / ZH
    page.unlink()
    os.mkfifo(page)
    for command in ("check", "parity"):
        result = tools_cli(recorded, command)
        assert result.code != 0 and "is not a regular file" in result.out + result.err, command


def test_a_recording_linked_to_dev_zero_is_refused(recorded, tools_cli) -> None:
    (recorded / REC).unlink()
    (recorded / REC).symlink_to("/dev/zero")
    result = tools_cli(recorded, "check")
    assert result.code == 1 and "is not a regular file" in result.out


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-1"])
def test_a_duration_that_is_not_seconds_makes_the_recording_broken(recorded, tools_cli, value) -> None:
    path = recorded / REC
    text = path.read_text(encoding="utf-8")
    import re

    path.write_text(re.sub(r'"duration_s": [0-9.]+', f'"duration_s": {value}', text), encoding="utf-8")
    result = tools_cli(recorded, "check")
    assert result.code == 1 and "not a number of seconds" in result.out


# Containment: whatever way a snippet writes into the repository, the run fails and says so.


@pytest.mark.parametrize(
    "code",
    [
        'import subprocess, os\nsubprocess.run(["sh", "-c", "echo x >> " + os.environ["REPO_PAGE"]])',
        'import ctypes, os\nlibc = ctypes.CDLL(None)\nfd = libc.open(os.environ["REPO_PAGE"].encode(), 1025)\nlibc.write(fd, b"x", 1)',
        "import os, site, pathlib\nfor d in site.getsitepackages():\n    pass",
    ],
    ids=["sh-c", "ctypes", "harmless"],
)
def test_a_write_into_the_repository_by_any_means_fails_the_run(
    hostile_repo, tools_cli, monkeypatch, code
) -> None:
    root = hostile_repo(code)
    monkeypatch.setenv("REPO_PAGE", str(root / "docs/zh/p.md"))
    result = tools_cli(root, "run", "-q")
    if "getsitepackages" in code:  # reads only: the run is fine
        assert result.code == 0, result
        return
    assert result.code == 1 and 'changed while "demo" ran (docs/zh/p.md)' in result.err
    assert (root / REC).read_text() == '{"previous": "recording, kept byte for byte"}\n'


def test_temporary_files_do_not_leak_between_snippets(hostile_repo, tools_cli) -> None:
    root = hostile_repo(
        "import tempfile, os\nprint(os.listdir(tempfile.gettempdir()))\n"
        'open(os.path.join(tempfile.gettempdir(), "left-behind"), "w").close()'
    )
    assert tools_cli(root, "run", "-q").code == 0
    assert tools_cli(root, "run", "-q", "--force").code == 0
    output = load_recording(root, "demo", "cpu").cells[0].output
    assert output == "[]\n"
