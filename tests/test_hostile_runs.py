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


# ---------------------------------------------------------------------------------------------
# Control characters in outputs: recorded as printed, shown escaped on pages and notebook pages

CONTROLS = {"\x00": r"\x00", "\x07": r"\x07", "\x9b": r"\x9b", "\u202e": r"\u202e",
            "\u2066": r"\u2066", "\u200f": r"\u200f", "\x7f": r"\x7f"}


def test_control_characters_are_shown_escaped_on_pages_and_notebook_pages(repo, tools_cli,
                                                                           caplog) -> None:
    import json

    from tools.programs import collect_programs
    from tools.site.notebooks import build_notebook

    printed = "".join(f"[{char}]" for char in CONTROLS)
    root = repo(f"import os\nos.write(1, {printed.encode()!r})\nprint()\nprint('tab\\tok 中文')",
                recordings=False)
    assert tools_cli(root, "run", "-q").code == 0
    [cell] = load_recording(root, "demo", "cpu")["cells"]
    assert cell["output"] == printed + "\ntab\tok 中文\n"  # the recording keeps what was printed
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
