"""Hostile processes (issue 15): nothing a snippet starts outlives its run, and the timeout bounds
the whole run.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import (
    EN,
    REPO,
    ZH,
    assert_safe,
    page,
    run_cli,
    snapshot,
    wait_dead,
)

from tools.recordings import load_recording

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
