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

from test_hostile_inputs import (  # noqa: F401 - fixtures are used by name
    EN, REC, REPO, ZH, assert_safe, english, page, render, repo, run_cli, snapshot, wait_dead,
)
from tools.recordings import load_recording

# ---------------------------------------------------------------------------------------------
# A snippet that kills its runner: the driver dies with it, the next run takes the lock over


def test_a_runner_killed_by_its_snippet_takes_the_driver_along(repo, tools_cli,
                                                               tmp_path_factory) -> None:
    pid_file = tmp_path_factory.mktemp("pids") / "driver.pid"  # outside the repository
    root = repo(f"import os, signal, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
                "os.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(60)", opts=' timeout="90"')
    before = snapshot(root)
    runner = subprocess.run([sys.executable, "-m", "tools", "run", "--force", "-q", "--root",
                             str(root)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert runner.returncode == -9, runner
    assert wait_dead(int(pid_file.read_text()), 5), "the driver outlived its killed runner"
    assert snapshot(root) == before
    # The next run finds the dead runner's pid in the lock, says so and takes the lock over.
    (root / ZH).write_text(page("print('next run')"), encoding="utf-8")
    (root / EN).write_text(english(page("print('next run')")), encoding="utf-8")
    result = tools_cli(root, "run", "-q")
    assert result.code == 0, result
    assert re.search(r"note: recordings/cpu/\.lock was left by pid \d+, which ended without "
                     r"releasing it \(killed\?\); taking it over", result.err), result.err
    assert_safe(result.out + result.err)
    assert load_recording(root, "demo", "cpu")["cells"][0]["output"] == "next run\n"
    result = tools_cli(root, "run", "--force", "-q")  # a lock released normally: no note
    assert result.code == 0 and "taking it over" not in result.err, result
