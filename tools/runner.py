"""Run programs in child processes (tools.driver) with a timeout, and record what they printed.

Used by `python -m tools run` and by tests/test_execute_snippets.py. Each snippet runs in its
own process group (killed as a whole on timeout or Ctrl-C); a failure never touches the
previous recording, a success replaces it atomically.
"""

from __future__ import annotations

import ast
import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from tools.cli_extract import SNIPPETS_DIR, render_script
from tools.driver import IGNORED_TOP, PROGRESS_PREFIX
from tools.recording import SCHEMA, clean_output, data_fingerprint, recordings_dir, write_recording
from tools.snippets import Program, code_hash

__all__ = ["RunResult", "child_env", "detect_profile", "git_commit", "kill_all", "remove_leftovers",
           "run_program", "run_programs"]

HEARTBEAT_S = 10.0
TOOLS_PARENT = Path(__file__).resolve().parent.parent
Progress = Callable[[str], None]

_active: set[subprocess.Popen] = set()
_active_lock = threading.Lock()


@dataclass(frozen=True)
class RunResult:
    id: str
    ok: bool
    message: str  # "" on success; otherwise what failed, where (page:line) and the traceback
    duration_s: float
    recording: dict | None = None


def child_env(*, threads: int, profile: str) -> dict[str, str]:
    """Environment of a snippet process: fixed hash seed and threads, no hub, no GUI backend."""
    env = dict(os.environ)
    env.update(PYTHONHASHSEED="0", MPLBACKEND="Agg", OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               HF_HUB_DISABLE_TELEMETRY="1", TOKENIZERS_PARALLELISM="false", PYTHONUNBUFFERED="1",
               PYTHONIOENCODING="utf-8")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TOOLS_PARENT), env.get("PYTHONPATH")]))
    if profile == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""  # a cpu recording must not silently use a GPU
    return env


def detect_profile() -> str:
    """"cuda" when torch sees a GPU; torch is only imported when an NVIDIA driver is present."""
    if not (Path("/dev/nvidia0").exists() or shutil.which("nvidia-smi")):
        return "cpu"
    try:
        import torch
    except ImportError:
        return "cpu"
    return "cuda" if torch.cuda.is_available() else "cpu"


def git_commit(root: Path) -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, text=True,
                              capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


def literal_data_files(root: Path, program: Program) -> list[str]:
    """Repository files named by string literals in the code (read by Rust/C code the audit hook misses)."""
    found = []
    for cell in program.cells:
        for node in ast.walk(ast.parse(cell.code)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and 0 < len(node.value) < 300 and "\n" not in node.value and "\0" not in node.value:
                path = Path(node.value)
                if path.is_absolute() or ".." in path.parts or not (root / path).is_file():
                    continue
                rel = (root / path).resolve().relative_to(root.resolve()).as_posix()
                if rel.split("/")[0] not in IGNORED_TOP and not rel.startswith("docs/assets/recordings/"):
                    found.append(rel)
    return found


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all() -> None:
    """Kill every running snippet process group (Ctrl-C with --jobs > 1)."""
    with _active_lock:
        for proc in list(_active):
            _kill_group(proc)


def _script_path(root: Path, program: Program, work: Path) -> Path:
    """snippets/<id>.py when it is current, else a fresh rendering in the work folder."""
    content = render_script(program)
    committed = root / SNIPPETS_DIR / f"{program.id}.py"
    if committed.is_file() and committed.read_text(encoding="utf-8") == content:
        return Path(SNIPPETS_DIR) / committed.name
    fresh = work / f"{program.id}.py"
    fresh.write_text(content, encoding="utf-8")
    return fresh


def _watch(proc: subprocess.Popen, *, label: str, timeout: float, progress: Progress | None,
           state: dict) -> bool:
    """Wait for the child; False if it ran out of time (then its group is killed)."""
    start = last_beat = time.monotonic()
    while True:
        now = time.monotonic()
        if now - start >= timeout:
            _kill_group(proc)
            proc.wait()
            return False
        try:
            proc.wait(timeout=min(1.0, timeout - (now - start)))
            return True
        except subprocess.TimeoutExpired:
            pass
        if progress and time.monotonic() - last_beat >= HEARTBEAT_S:
            last_beat = time.monotonic()
            progress(f"[{label}] cell {state.get('cell', '?')} running, "
                     f"{last_beat - start:.0f} s elapsed")


def _read_output(proc: subprocess.Popen, *, label: str, progress: Progress | None, state: dict,
                 tail: collections.deque) -> None:
    assert proc.stdout is not None
    try:
        for raw in proc.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            if line.startswith(PROGRESS_PREFIX):
                state["cell"], state["where"] = line[len(PROGRESS_PREFIX):].split(" ", 1)
                if progress:
                    progress(f"[{label}] cell {state['cell']} started ({state['where']})")
            else:
                tail.append(line)
    except (OSError, ValueError):  # the pipe was closed under us after a kill
        pass


def _failure_message(program: Program, result: dict) -> str:
    error = result["error"]
    cell = result["cells"][-1] if result["cells"] else None
    output = clean_output(cell["output"]).rstrip("\n") if cell else ""
    lines = output.splitlines()[-20:]
    shown = ("\n--- last output of the cell ---\n" + "\n".join(lines)) if lines else ""
    return (f"{program.id} failed at {error['page']}:{error['line']} (cell {error['index']}): "
            f"{error['type']}\n{error['traceback'].rstrip()}{shown}")


def _recording(root: Path, program: Program, result: dict, *, profile: str, duration: float,
               commit: str) -> dict:
    written = set(result.get("written_files", []))
    literal = [rel for rel in literal_data_files(root, program) if rel not in written]
    data_files = result.get("data_files", []) + literal
    return {
        "schema": SCHEMA, "id": program.id, "profile": profile, "status": "ok",
        "fingerprint": {"code": code_hash(program), "env": result["env"],
                        "data": data_fingerprint(root, data_files)},
        "cells": [{"index": cell["index"], "line": cell["line"], "output": clean_output(cell["output"]),
                   "figures": [f"{program.id}/{name}" for name in cell["figures"]]}
                  for cell in result["cells"]],
        "provenance": {**result["provenance"], "duration_s": round(duration, 1),
                       "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "commit": commit},
    }


def remove_leftovers(out_dir: Path, snippet_id: str) -> None:
    """Delete work folders that a killed `tools run` left beside the recordings."""
    for pattern in (f".run-{snippet_id}-*", f".write-{snippet_id}-*"):
        for path in out_dir.glob(pattern):
            shutil.rmtree(path, ignore_errors=True)


def run_program(root: Path, program: Program, *, profile: str = "cpu", threads: int = 2,
                timeout: float | None = None, out_dir: Path | None = None,
                progress: Progress | None = None, commit: str | None = None) -> RunResult:
    """Run one program and, on success, write its recording into out_dir
    (default docs/assets/recordings/<profile>/). A failure leaves out_dir untouched."""
    out_dir = out_dir or recordings_dir(root, profile)
    out_dir.mkdir(parents=True, exist_ok=True)
    limit = timeout if timeout is not None else program.timeout
    work = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".run-{program.id}-"))
    state: dict = {}
    tail: collections.deque = collections.deque(maxlen=40)
    start = time.monotonic()
    try:
        script = _script_path(root, program, work)
        cmd = [sys.executable, "-m", "tools.driver", str(script), "--out", str(work),
               "--threads", str(threads), "--profile", profile, "--root", str(root)]
        proc = subprocess.Popen(cmd, cwd=root, env=child_env(threads=threads, profile=profile),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        with _active_lock:
            _active.add(proc)
        reader = threading.Thread(target=_read_output, daemon=True, kwargs=dict(
            proc=proc, label=program.id, progress=progress, state=state, tail=tail))
        reader.start()
        try:
            finished = _watch(proc, label=program.id, timeout=limit, progress=progress, state=state)
        finally:
            _kill_group(proc)  # also on Ctrl-C, and stray grandchildren after a normal exit
            proc.wait()
            with _active_lock:
                _active.discard(proc)
            reader.join(timeout=5)
            if proc.stdout is not None:
                proc.stdout.close()
        duration = time.monotonic() - start
        first = program.cells[0]
        where = state.get("where", f"{first.page}:{first.line}")
        if not finished:
            return RunResult(program.id, False, f"{program.id} timed out after {limit:g} s "
                             f"({where}, last cell started)", duration)
        result_path = work / "result.json"
        if not result_path.is_file():
            how = (f"was killed by signal {-proc.returncode}" if proc.returncode < 0
                   else f"exited with status {proc.returncode}")
            last = "\n".join(tail)
            return RunResult(program.id, False, f"{program.id} {how} without a result ({where}, "
                             f"last cell started)" + (f"\n{last}" if last else ""), duration)
        result = json.loads(result_path.read_text(encoding="utf-8"))
        if result["status"] != "ok":
            return RunResult(program.id, False, _failure_message(program, result), duration)
        recording = _recording(root, program, result, profile=profile, duration=duration,
                               commit=commit if commit is not None else git_commit(root))
        figures = work / "figures"
        write_recording(out_dir, program.id, recording, figures=figures if figures.is_dir() else None)
        return RunResult(program.id, True, "", duration, recording)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_programs(root: Path, programs: list[Program], *, jobs: int = 1,
                 on_done: Callable[[RunResult], None] | None = None, **options) -> list[RunResult]:
    """Run several programs, `jobs` at a time; Ctrl-C kills them all and re-raises."""
    commit = options.pop("commit", None) or git_commit(root)
    results: list[RunResult] = []
    interrupted = threading.Event()

    def one(program: Program) -> RunResult:
        result = run_program(root, program, commit=commit, **options)
        if on_done and not interrupted.is_set():  # no "killed" noise after Ctrl-C
            on_done(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(one, program) for program in programs]
        try:
            results = [future.result() for future in futures]
        except BaseException:
            interrupted.set()
            for future in futures:
                future.cancel()
            kill_all()
            raise
    return results
