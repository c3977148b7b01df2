"""Hostile snippets, second pass (issue 24): a snippet that kills its runner, exhausts the
figure or recursion limits, replaces sys.stdout or json.dumps, prints control characters, or
writes to its home folder.

Every case asserts the exit status, the page:line of the message, a safe hint and that nothing
recorded changed (unless the case is a successful run). Helpers and fixtures are those of
tests/test_hostile_inputs.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_hostile_inputs import REPO, assert_safe, render, run_cli, snapshot, wait_dead

from tests.conftest import EN, ZH, english, page
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
    import json

    from tools.programs import collect_programs
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
