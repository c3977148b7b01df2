"""Hostile runs (issues 15 and 24): a run that fails says where (page:line) and why and keeps
the previous recording byte for byte; a snippet cannot change the repository nor read files it
does not declare, however it writes; a snippet that kills its runner, exhausts the figure or
recursion limits, replaces sys.stdout or json.dumps, prints control characters or writes to its
home folder; the command line's own mistakes.

Every case asserts the exit status, the page:line of the message, a safe hint and that nothing
recorded changed (unless the case is a successful run). Helpers: tests/hostile.py; fixtures
(hostile_repo, recorded): tests/conftest.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import (
    EN,
    FIX,
    REC,
    REPO,
    ZH,
    assert_safe,
    english,
    page,
    render,
    run_cli,
    snapshot,
    wait_dead,
)

from tools.programs import collect_programs
from tools.recordings import load_recording

# ---------------------------------------------------------------------------------------------
# A snippet that kills its runner: the driver dies with it, the next run takes the lock over


def test_a_runner_killed_by_its_snippet_takes_the_driver_along(
    hostile_repo, tools_cli, tmp_path_factory
) -> None:
    pid_file = tmp_path_factory.mktemp("pids") / "driver.pid"  # outside the repository
    root = hostile_repo(
        f"import os, signal, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "os.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(60)",
        opts=' timeout="90"',
    )
    before = snapshot(root)
    runner = subprocess.run(
        [sys.executable, "-m", "tools", "run", "--force", "-q", "--root", str(root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert runner.returncode == -9, runner
    assert wait_dead(int(pid_file.read_text()), 5), "the driver outlived its killed runner"
    assert snapshot(root) == before
    # The next run finds the dead runner's pid in the lock, says so and takes the lock over.
    (root / ZH).write_text(page("print('next run')"), encoding="utf-8")
    (root / EN).write_text(english(page("print('next run')")), encoding="utf-8")
    result = tools_cli(root, "run", "-q")
    assert result.code == 0, result
    assert re.search(
        r"note: recordings/cpu/\.lock was left by pid \d+, which ended without "
        r"releasing it \(killed\?\); taking it over",
        result.err,
    ), result.err
    assert_safe(result.out + result.err)
    assert load_recording(root, "demo", "cpu").cells[0].output == "next run\n"
    result = tools_cli(root, "run", "--force", "-q")  # a lock released normally: no note
    assert result.code == 0 and "taking it over" not in result.err, result


# ---------------------------------------------------------------------------------------------
# Control characters in outputs: recorded as printed, shown escaped on pages and notebook pages

CONTROLS = {
    "\x00": r"\x00",
    "\x07": r"\x07",
    "\x9b": r"\x9b",
    "\u202e": r"\u202e",
    "\u2066": r"\u2066",
    "\u200f": r"\u200f",
    "\x7f": r"\x7f",
}


def test_control_characters_are_shown_escaped_on_pages_and_notebook_pages(
    hostile_repo, tools_cli, caplog
) -> None:

    from tools.site.notebooks import build_notebook

    printed = "".join(f"[{char}]" for char in CONTROLS)
    root = hostile_repo(
        f"import os\nos.write(1, {printed.encode()!r})\nprint()\nprint('tab\\tok 中文')", recordings=False
    )
    assert tools_cli(root, "run", "-q").code == 0
    [cell] = load_recording(root, "demo", "cpu").cells
    assert cell.output == printed + "\ntab\tok 中文\n"  # the recording keeps what was printed
    html, errors = render(root, ZH, caplog)
    assert errors == []
    output = html.split('class="snippet-output"', 1)[1]
    for char, escaped in CONTROLS.items():
        assert char not in html, repr(char)
        assert f"[{escaped}]" in output, escaped
    assert "tab\tok 中文" in output
    notebook = json.loads(build_notebook(root, collect_programs(root)["demo"], lang="en", page=True))
    [stream] = [out for c in notebook["cells"] for out in c.get("outputs", [])]
    text = "".join(stream["text"])
    assert all(char not in text and f"[{escaped}]" in text for char, escaped in CONTROLS.items())


# ---------------------------------------------------------------------------------------------
# Cells that exhaust or replace what the driver relies on: the real cause, at the page's line

CELL_FAILURES = {
    "ten-thousand-figures": (
        "import matplotlib.pyplot as plt\nfor _ in range(10_000):\n    plt.figure(figsize=(1, 1))",
        f"demo failed at {ZH}:6 (cell 1): TooManyFiguresError",
        ["the cell has 51 figures open; at most 50 are recorded per cell", "plt.close(fig)"],
    ),
    "fifty-subplots-then-one-more": (
        "import matplotlib.pyplot as plt\nfor _ in range(50):\n    plt.subplots()\n"
        "plt.figure(3)\nplt.subplots()",
        f"demo failed at {ZH}:8 (cell 1): TooManyFiguresError",
        ["the cell has 51 figures open"],
    ),
    "figure-that-fails-only-at-savefig": (
        "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.title(r'$\\frac{$')",
        f"demo failed at {ZH}:4 (cell 1): ValueError",
        ["while saving the figures the cell drew (savefig)"],
    ),
}


@pytest.mark.parametrize("case", list(CELL_FAILURES))
def test_a_cell_failing_in_the_driver_gets_its_real_cause(case, hostile_repo, tools_cli) -> None:
    code, message, hints = CELL_FAILURES[case]
    root = hostile_repo(code, opts=' timeout="120"')
    result, before = run_cli(tools_cli, root, "run", "--force", "-q")
    assert result.code == 1, result
    assert f"FAIL {message}" in result.err, result.err
    for hint in hints:
        assert hint in result.err, (hint, result.err)
    assert "os._exit() or a C extension" not in result.err
    assert "1 of 1 failed: demo; their previous recordings are kept" in result.err
    assert snapshot(root) == before


def test_a_cell_that_sets_sys_stdout_to_none_is_recorded(hostile_repo, tools_cli) -> None:
    root = hostile_repo(
        "import sys\nprint('before')\nsys.stdout = None\nprint('lost, as in a script')",
        "import os\nos.write(1, b'fd 1 still works\\n')",
        recordings=False,
    )
    result = tools_cli(root, "run", "-q")
    assert result.code == 0, result
    outputs = [cell.output for cell in load_recording(root, "demo", "cpu").cells]
    assert outputs == ["before\n", "fd 1 still works\n"]


def test_a_cell_that_replaces_json_dumps_cannot_change_the_recording(hostile_repo, tools_cli) -> None:
    root = hostile_repo(
        "import json, os\n"
        'json.dumps = lambda *a, **k: \'{"status": "ok", "cells": []}\'\n'
        "json.JSONEncoder.encode = lambda self, o: '{}'\n"
        "os.replace = lambda *a, **k: None\nprint('real output')",
        recordings=False,
    )
    result = tools_cli(root, "run", "-q")
    assert result.code == 0, result
    [cell] = load_recording(root, "demo", "cpu").cells
    assert cell.output == "real output\n"
    assert tools_cli(root, "check").code == 0


DEEP = {
    # the compiler itself gives up (RecursionError in `extract` before)
    "deep-sum": ("x = " + "1 + " * 15_000 + "1", 4),
    # compiles, but every comparison of the code recursed too deep (after a successful run)
    "deep-calls": ("x = " + "abs(" * 150 + "1" + ")" * 150, 4),
    "deep-lists": ("x = " + "[" * 180 + "]" * 180, 4),
}


@pytest.mark.parametrize("case", list(DEEP))
def test_very_deep_expressions_fail_with_page_line(case, hostile_repo, tools_cli) -> None:
    code, line = DEEP[case]
    root = hostile_repo("print(1)")
    (root / ZH).write_text(page(code), encoding="utf-8")
    (root / EN).write_text(english(page(code)), encoding="utf-8")
    before = snapshot(root, "recordings", "snippets")
    for command in ("extract", "check", "run"):
        result = tools_cli(root, command)
        output = result.out + result.err
        assert result.code == 1, (command, output)
        assert f"{ZH}:{line}: " in output and "split it into several statements" in output, output
        assert_safe(output)
    assert snapshot(root, "recordings", "snippets") == before


def test_a_huge_fence_is_refused_and_check_stays_fast(hostile_repo, tools_cli) -> None:
    """A 1.9 MB fence made every `check` parse it several times (10 s with 2 languages)."""
    code = "\n".join(f"x{i} = [{i}, 'abcdefghij', {i}.5]" for i in range(48_000))
    root = hostile_repo("print(1)")
    (root / ZH).write_text(page(code), encoding="utf-8")
    (root / EN).write_text(english(page(code)), encoding="utf-8")
    before = snapshot(root, "recordings", "snippets")
    start = time.process_time()
    result = tools_cli(root, "check")
    assert time.process_time() - start < 2.0
    assert (
        result.code == 1
        and f'{ZH}:3: the code of this fence of "demo" is 1842 kB; at most 64 kB' in result.out
    ), result
    assert "under data/" in result.out
    assert_safe(result.out + result.err)
    assert snapshot(root, "recordings", "snippets") == before


# ---------------------------------------------------------------------------------------------
# Writes to ~: the snippet gets its own home, removed with the run


def test_writes_to_home_stay_in_the_run(hostile_repo, tools_cli) -> None:
    real_home = Path.home()
    name = f".tools-hostile-{time.time_ns()}"
    root = hostile_repo(
        "import os\nfrom pathlib import Path\n"
        f"Path('~/{name}').expanduser().write_text('x')\n"
        "print(sorted(k for k in os.environ if k.startswith('XDG_')))\n"
        "print(all(os.environ[k].startswith(os.environ['HOME']) for k in os.environ "
        "if k.startswith('XDG_')))",
        recordings=False,
    )
    result = tools_cli(root, "run", "-q")
    leaked = (real_home / name).exists()
    (real_home / name).unlink(missing_ok=True)
    assert result.code == 0, result
    assert not leaked, "a snippet's write to ~ reached the real home"
    [cell] = load_recording(root, "demo", "cpu").cells
    assert cell.output == ("['XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME']\nTrue\n")


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
