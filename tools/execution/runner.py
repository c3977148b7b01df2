"""Run programs in child processes (tools.execution.driver) and record what they printed and drew.

Used by `python -m tools run` and by the snippet tests. Each run gets its own work folder outside
the repository: `repo/` is a scratch copy holding only the program's declared data files (the
snippet's working directory), `out/` receives the driver's result. The child runs in its own
session, with its own TMPDIR and HOME (XDG_* too) in the work folder, and dies with this process
(it watches a pipe only this process holds); at the timeout, at Ctrl-C and after a normal exit
every process of the run is killed:
those that carry the run's token, the driver's descendants, and orphans re-parented to this
process since the run started (it is a child subreaper on Linux), so children that escaped
with setsid() or cleared their environment are found too. The timeout bounds the whole run.

The repository is off limits to a snippet: the driver refuses its Python writes there (and
reports undeclared reads), and this module compares recordings/ and the declared data files
before and after the run, putting back recordings that a program the snippet started changed.
Any of these fails the run with the page:line of the fence. A failure never touches the
previous recording; a success replaces it atomically (tools.recordings).
"""

from __future__ import annotations

import ast
import collections
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tools import profiles
from tools.execution.driver import IGNORED_TOP, PROGRESS_PREFIX
from tools.programs import NOT_DATA, Program, code_hash, data_files
from tools.recordings import (
    RECORDINGS_DIR,
    SCHEMA,
    Cell,
    Env,
    Fingerprint,
    Provenance,
    Recording,
    RecordingError,
    clean_output,
    data_fingerprint,
    figure_name,
    parse_figure_text,
    recordings_dir,
    write_recording,
)
from tools.scripts import SNIPPETS_DIR, program_data, render_script

__all__ = [
    "RunResult",
    "child_env",
    "detect_profile",
    "git_commit",
    "kill_all",
    "run_program",
    "run_programs",
]

HEARTBEAT_S = 10.0
TOOLS_PARENT = Path(__file__).resolve().parent.parent.parent
RUN_TOKEN = "TOOLS_RUN_TOKEN"  # noqa: S105 - the name of an environment variable, no secret
Progress = Callable[[str], None]

_active: dict[str, subprocess.Popen] = {}  # token → driver process
_active_lock = threading.Lock()


@dataclass(frozen=True)
class RunResult:
    id: str
    ok: bool
    message: str  # "" on success; otherwise what failed, where (page:line) and the traceback
    duration_s: float
    recording: Recording | None = None
    figures: dict[str, bytes] | None = None  # name → PNG bytes of a successful run


def child_env(*, threads: int, profile: str, token: str) -> dict[str, str]:
    """Environment of a snippet process: the profile's pinned numerics and threads
    (tools.profiles), hub offline, no GUI."""
    env = dict(os.environ)
    env.update(
        MPLBACKEND="Agg",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        TOKENIZERS_PARALLELISM="false",
        PYTHONUNBUFFERED="1",
        PYTHONIOENCODING="utf-8",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(profiles.get(profile).environment(threads))
    env[RUN_TOKEN] = token
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TOOLS_PARENT), env.get("PYTHONPATH")]))
    return env


def detect_profile() -> str:
    """The first GPU profile whose device this machine has (torch is only imported when a
    driver is present), else "cpu"."""
    for profile in profiles.PROFILES.values():
        if profile is profiles.CPU or not profile.available():
            continue
        try:
            import torch
        except ImportError:
            return "cpu"
        if profile.torch_device == "cuda" and torch.cuda.is_available():
            return profile.name
    return "cpu"


def git_commit(root: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            text=True,
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


# ---------------------------------------------------------------------------------------------
# Processes


def _become_subreaper() -> None:
    """Orphaned grandchildren are re-parented to this process instead of init (Linux only)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _processes_with_token(token: str) -> list[int]:
    """Pids of this user's processes whose environment carries the run token."""
    needle = f"{RUN_TOKEN}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _parents() -> dict[int, int]:
    """pid → parent pid of every process (Linux /proc; empty elsewhere)."""
    table = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                table[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return table


def _children() -> set[int]:
    me = os.getpid()
    return {pid for pid, parent in _parents().items() if parent == me}


def _run_processes(proc: subprocess.Popen, token: str, baseline: set[int]) -> set[int]:
    """Every process of a run: the token carriers, the driver's descendants, and orphans that
    were re-parented to this (subreaper) process since the run started, with their descendants
    (a child that cleared its environment and left with setsid() carries no token)."""
    table = _parents()
    with _active_lock:
        others = {p.pid for t, p in _active.items() if t != token}
    roots = {proc.pid} | set(_processes_with_token(token))
    roots |= {
        pid
        for pid, parent in table.items()
        if parent == os.getpid() and pid not in baseline and pid not in others
    }
    found, pending = set(), list(roots)
    while pending:
        pid = pending.pop()
        if pid in found or pid == os.getpid() or pid in others:
            continue
        found.add(pid)
        pending += [child for child, parent in table.items() if parent == pid]
    return found


def _reap(pids: list[int]) -> None:
    """Collect those of `pids` that were re-parented to us and have exited (else: zombies)."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


def _kill_run(proc: subprocess.Popen, token: str, baseline: set[int] | None = None) -> None:
    """Kill the driver's process group and every process of the run, until none is left."""
    for _ in range(50):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        pids = [
            pid
            for pid in _run_processes(proc, token, baseline or set())
            if pid != proc.pid and not _is_zombie(pid)
        ]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if not pids:
            return
        time.sleep(0.05)
        _reap(pids)


def _is_zombie(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # gone
    if state in ("Z", "X"):
        _reap([pid])
        return True
    return False


def kill_all() -> None:
    """Kill every running snippet (Ctrl-C with --jobs > 1)."""
    with _active_lock:
        running = list(_active.items())
    for token, proc in running:
        _kill_run(proc, token)


# ---------------------------------------------------------------------------------------------
# One run


def literal_data_files(root: Path, program: Program) -> list[str]:
    """Repository files named by string literals in the code: a hint for an undeclared input
    (files read by Rust or C code are invisible to the audit hook)."""
    found = []
    for cell in program.cells:
        for node in ast.walk(ast.parse(cell.code)):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and 0 < len(node.value) < 300
                and "\n" not in node.value
                and "\0" not in node.value
            ):
                path = Path(node.value)
                if path.is_absolute() or ".." in path.parts or not path.parts:
                    continue
                if path.parts[0] not in IGNORED_TOP and (root / path).is_file():
                    found.append(path.as_posix())
    return sorted(set(found))


def _prepare_scratch(root: Path, program: Program, scratch: Path, files: list[str]) -> str:
    """Copy the declared data files (read-only) and the script into the scratch copy."""
    for rel in files:
        target = scratch / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / rel, target)
        os.chmod(target, 0o444)
    script = Path(SNIPPETS_DIR) / f"{program.id}.py"
    (scratch / script).parent.mkdir(parents=True, exist_ok=True)
    (scratch / script).write_text(render_script(program), encoding="utf-8")
    return script.as_posix()


def _watch(
    proc: subprocess.Popen, *, label: str, timeout: float, progress: Progress | None, state: dict
) -> bool:
    """Wait for the child; False if it ran out of time."""
    start = last_beat = time.monotonic()
    while True:
        now = time.monotonic()
        if now - start >= timeout:
            return False
        try:
            proc.wait(timeout=min(1.0, timeout - (now - start)))
            return True
        except subprocess.TimeoutExpired:
            pass
        if progress and time.monotonic() - last_beat >= HEARTBEAT_S:
            last_beat = time.monotonic()
            progress(f"[{label}] cell {state.get('cell', '?')} running, {last_beat - start:.0f} s elapsed")


def _read_output(
    proc: subprocess.Popen, *, label: str, progress: Progress | None, state: dict, tail: collections.deque
) -> None:
    assert proc.stdout is not None
    try:
        for raw in proc.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            if line.startswith(PROGRESS_PREFIX):
                parts = line[len(PROGRESS_PREFIX) :].split(" ", 1)
                if len(parts) == 2:
                    state["cell"], state["where"] = parts
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
    hint = _HINTS.get(error["type"], "")
    if error["type"] == "EOFError" and "input(" not in error["traceback"]:
        hint = ""
    return (
        f"{program.id} failed at {error['page']}:{error['line']} (cell {error['index']}): "
        f"{error['type']}{hint}\n{error['traceback'].rstrip()}{shown}"
    )


# What a snippet did that works in a terminal but not as a recorded notebook cell.
_HINTS = {
    "SystemExit": " (a snippet runs as notebook cells: remove the sys.exit() call, or raise an "
    "exception to fail)",
    "EOFError": " (snippets get no input: stdin is empty; put the value in the code instead of input())",
}


def _undeclared_message(root: Path, program: Program, names: list[str]) -> str:
    declared = " ".join(program.data + tuple(names))
    never = [name for name in names if name.startswith(NOT_DATA)]
    if never:
        return (
            f'{program.where}: snippet "{program.id}" reads {", ".join(never)}; pages, '
            "tools, scripts and recordings are never a program's inputs: put the data it "
            'needs under data/ or sources/ and declare it with data="…" on the first fence'
        )
    return (
        f'{program.where}: snippet "{program.id}" reads {", ".join(names)}, which its fence '
        f'does not declare; add data="{declared}" to the first fence '
        f'(```python {{exec="{program.id}" … data="…"}})'
    )


def _recording(
    root: Path,
    program: Program,
    result: dict,
    *,
    profile: str,
    duration: float,
    commit: str,
    out: Path,
    data_digests: dict[str, str],
) -> tuple[Recording, dict[str, bytes]]:
    """The Recording of a successful run (`result`: the driver's result.json) and its figures."""
    figures: dict[str, bytes] = {}
    cells = []
    for cell in result["cells"]:
        names = []
        for number, name in enumerate(cell["figures"], start=1):
            data = (out / "figures" / name).read_bytes()
            final = figure_name(cell["index"], number, data)
            figures[final] = data
            names.append(final)
        texts = None
        if names:
            try:  # the figures' titles and labels, when the driver could read them
                texts = parse_figure_text(cell.get("figure_text"), figures=len(names))
            except RecordingError:
                pass  # the pages fall back to alt text that names the cell
        cells.append(
            Cell(
                index=cell["index"],
                page=cell["page"],
                line=cell["line"],
                output=clean_output(cell["output"]),
                figures=tuple(names),
                figure_text=texts,
            )
        )
    recording = Recording(
        schema=SCHEMA,
        id=program.id,
        profile=profile,
        status="ok",
        fingerprint=Fingerprint(code=code_hash(program), data=data_digests),
        env=Env(**result["env"]),
        provenance=Provenance(
            **result["provenance"],
            duration_s=round(duration, 1),
            date=datetime.now(UTC).isoformat(timespec="seconds"),
            commit=commit,
        ),
        cells=tuple(cells),
    )
    return recording, figures


def run_program(
    root: Path,
    program: Program,
    *,
    profile: str = "cpu",
    threads: int = 2,
    timeout: float | None = None,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    commit: str | None = None,
    record: bool = True,
) -> RunResult:
    """Run one program; on success (and with record) write its recording into out_dir
    (default recordings/<profile>/). A failure leaves out_dir untouched."""
    limit = timeout if timeout is not None else program.timeout
    work = Path(tempfile.mkdtemp(prefix=f"tools-run-{program.id}-"))
    scratch, out = work / "repo", work / "out"
    scratch.mkdir()
    token = uuid.uuid4().hex
    state: dict = {}
    tail: collections.deque = collections.deque(maxlen=40)
    start = time.monotonic()
    _become_subreaper()
    baseline = _children()
    try:
        watched = _Watched(root, program)
        script = _prepare_scratch(root, program, scratch, watched.files)
        # The program as data: the driver runs these cells; the script beside it is argv[0]
        # (what a reader runs by hand), never parsed back.
        program_json = work / "program.json"
        program_json.write_text(json.dumps(program_data(program)), encoding="utf-8")
        cmd = [
            sys.executable,
            "-m",
            "tools.execution.driver",
            script,
            "--out",
            str(out),
            "--program",
            str(program_json),
            "--threads",
            str(threads),
            "--profile",
            profile,
            "--repo",
            str(root),
        ]
        env = child_env(threads=threads, profile=profile, token=token)
        # Each run its own temporary folder: files in /tmp never leak into the next snippet.
        (work / "tmp").mkdir()
        env.update(TMPDIR=str(work / "tmp"), TEMP=str(work / "tmp"), TMP=str(work / "tmp"))
        # ... and its own home: writes to ~ (dot files, caches, configuration) stay in the run's
        # scratch folder and are removed with it. Explicit HF_HOME and the like are kept.
        home = work / "home"
        for sub in (".cache", ".config", ".local/share", ".local/state"):
            (home / sub).mkdir(parents=True)
        env.update(
            HOME=str(home),
            XDG_CACHE_HOME=str(home / ".cache"),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local/share"),
            XDG_STATE_HOME=str(home / ".local/state"),
        )
        # A pipe whose write end only this process holds: when it dies (even by SIGKILL) the
        # driver reads end-of-file and kills its process group, so no run outlives its runner.
        lifeline_read, lifeline = os.pipe()
        cmd += ["--lifeline", str(lifeline_read)]
        try:
            proc = subprocess.Popen(
                cmd,
                cwd=scratch,
                stdin=subprocess.DEVNULL,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=(lifeline_read,),
            )
        except BaseException:
            os.close(lifeline)
            raise
        finally:
            os.close(lifeline_read)
        with _active_lock:
            _active[token] = proc
        reader = threading.Thread(
            target=_read_output,
            daemon=True,
            kwargs=dict(proc=proc, label=program.id, progress=progress, state=state, tail=tail),
        )
        reader.start()
        try:
            finished = _watch(proc, label=program.id, timeout=limit, progress=progress, state=state)
        finally:
            # also on Ctrl-C, and escaped grandchildren after a normal exit
            _kill_run(proc, token, baseline)
            proc.wait()
            with _active_lock:
                _active.pop(token, None)
            os.close(lifeline)
            reader.join(timeout=5)
            if proc.stdout is not None:
                proc.stdout.close()
        duration = time.monotonic() - start
        where = state.get("where", f"{program.cells[0].page}:{program.cells[0].line}")
        changed = watched.changed_recordings()
        if changed:  # written by a program the snippet started (Python's writes are refused)
            return RunResult(program.id, False, _wrote_message(program, changed, restored=changed), duration)
        changed = watched.changed_data()
        if changed:
            return RunResult(
                program.id,
                False,
                f"{program.where}: data file(s) "
                f'{", ".join(changed)} of "{program.id}" changed during the run '
                "(by the snippet or meanwhile by someone else); nothing was "
                "recorded; run it again once the data is as intended",
                duration,
            )
        changed = watched.changed_tree()
        if changed:  # however it was made: sh -c, ctypes, a child process
            shown = ", ".join(changed[:5]) + (", …" if len(changed) > 5 else "")
            return RunResult(
                program.id,
                False,
                f"{program.where}: {len(changed)} file(s) of the "
                f'repository changed while "{program.id}" ran ({shown}); snippets may '
                "only write below their working directory, by relative paths; nothing "
                "was recorded. If you edited them meanwhile, run it again; otherwise "
                "`git status` and `git diff` show what the snippet did",
                duration,
            )
        if not finished:
            return RunResult(
                program.id,
                False,
                f"{program.id} timed out after {limit:g} s "
                f'({where}, last cell started); raise timeout="…" on its first '
                f"fence ({program.where}) if it needs longer",
                duration,
            )
        result_path = out / "result.json"
        try:
            result = json.loads(result_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            how = (
                f"was killed by signal {-proc.returncode} ({_signal_name(-proc.returncode)})"
                if proc.returncode < 0
                else f"exited with status {proc.returncode}"
            )
            last = "\n".join(tail)
            why = (
                "; os._exit() or a C extension ended the process inside that cell"
                if proc.returncode >= 0 and "Traceback" not in last
                else ""
            )
            return RunResult(
                program.id,
                False,
                f"{program.id} {how} without a result ({where}, "
                f"last cell started){why}" + (f"\n{last}" if last else ""),
                duration,
            )
        if result["writes"]:
            return RunResult(program.id, False, _wrote_message(program, result["writes"]), duration)
        undeclared = sorted(set(result["undeclared"]))
        if result["status"] != "ok":
            hint = [name for name in literal_data_files(root, program) if name not in watched.files]
            if undeclared or hint:
                return RunResult(
                    program.id,
                    False,
                    _undeclared_message(root, program, undeclared or hint)
                    + "\n"
                    + _failure_message(program, result),
                    duration,
                )
            return RunResult(program.id, False, _failure_message(program, result), duration)
        if undeclared:
            return RunResult(program.id, False, _undeclared_message(root, program, undeclared), duration)
        recording, figures = _recording(
            root,
            program,
            result,
            profile=profile,
            duration=duration,
            commit=commit if commit is not None else git_commit(root),
            out=out,
            data_digests=watched.data,
        )
        if record:
            with _recorded_lock:
                _recorded.add(program.id)
            write_recording(out_dir or recordings_dir(root, profile), program.id, recording, figures=figures)
        return RunResult(program.id, True, "", duration, recording, figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown signal"


def _wrote_message(program: Program, names: list[str], *, restored: list[str] = ()) -> str:
    shown = ", ".join(sorted(set(names))[:5]) + (", …" if len(set(names)) > 5 else "")
    note = f"; {len(restored)} recording file(s) it changed were put back" if restored else ""
    return (
        f'{program.where}: snippet "{program.id}" wrote into the repository ({shown}); '
        "snippets may only write below their working directory (a scratch copy of the "
        f"repository), so write files by relative paths; nothing was recorded{note} — "
        "`git status` shows anything else it changed"
    )


class _Watched:
    """What a run must not change, taken before it: recordings/ byte for byte (to put back
    what a program the snippet started changed there; the snippet's own Python writes are
    refused by the driver) and the declared data files' digests (a recording must describe the
    data it was made from). Recordings this process writes for other snippets meanwhile
    (--jobs) are not the snippet's doing. The declared data is matched once, here: the run
    copies, fingerprints and records these files. The repository tree is watched too, pages
    included (a snippet's shell or C code could write there): an author who edits a page while
    a long run goes on gets a failed run and runs it again."""

    def __init__(self, root: Path, program: Program) -> None:
        self.root, self.program = root, program
        self.recordings = self._recordings()
        self.files = data_files(root, program)
        self.data = data_fingerprint(root, self.files)
        self.tree = self._tree()

    # Folders whose files a run may not change, by any means (pages, tools, generated scripts,
    # data, tests, the installed packages' entry points); recordings/ is compared byte for byte.
    _TREE = ("docs", "tools", "snippets", "data", "sources", "tests", "diagrams", "overrides")
    _TREE_FILES = ("mkdocs.yml", "Makefile", "pyproject.toml", "requirements.txt", "README.md")

    def _tree(self) -> dict[str, tuple[int, int, int]]:
        """(size, mtime_ns, inode) of every file a snippet must leave alone, and of the entries
        of the virtualenv's site-packages (a dropped .pth file would run in every later process)."""
        found: dict[str, tuple[int, int, int]] = {}
        roots = [self.root / name for name in self._TREE]
        roots += sorted((self.root / ".venv").glob("lib/python*/site-packages"))
        for base in roots:
            if not base.is_dir():
                continue
            shallow = base.name == "site-packages"
            for path in base.iterdir() if shallow else base.rglob("*"):
                if "__pycache__" in path.parts or (not shallow and path.is_dir()):
                    continue
                if not shallow and path.relative_to(self.root).as_posix().startswith(
                    ("docs/assets/generated/", "docs/zh/notebooks/", "docs/en/notebooks/")
                ):
                    continue  # written by builds that may run meanwhile
                try:
                    info = path.lstat()
                except OSError:
                    continue
                found[path.relative_to(self.root).as_posix()] = (info.st_size, info.st_mtime_ns, info.st_ino)
        for name in self._TREE_FILES:
            try:
                info = (self.root / name).lstat()
            except OSError:
                continue
            found[name] = (info.st_size, info.st_mtime_ns, info.st_ino)
        return found

    def changed_tree(self) -> list[str]:
        """Files added, removed or changed during the run in the watched folders."""
        now = self._tree()
        return sorted(name for name in set(now) | set(self.tree) if now.get(name) != self.tree.get(name))

    def _recordings(self) -> dict[str, bytes]:
        folder = self.root / RECORDINGS_DIR
        found = {}
        for path in folder.rglob("*") if folder.is_dir() else []:
            if path.is_file() and not path.name.startswith("."):
                try:
                    found[path.relative_to(self.root).as_posix()] = path.read_bytes()
                except OSError:
                    continue
        return found

    def _others(self, name: str) -> bool:
        """A recording file of another snippet that this process recorded meanwhile."""
        parts = name.split("/")
        if len(parts) < 3:
            return False
        owner = parts[2].removesuffix(".json")
        with _recorded_lock:
            return owner != self.program.id and owner in _recorded

    def changed_recordings(self) -> list[str]:
        """Recording files changed, added or removed during the run, each put back as it was."""
        now = self._recordings()
        changed = [
            name
            for name in sorted(set(now) | set(self.recordings))
            if now.get(name) != self.recordings.get(name) and not self._others(name)
        ]
        for name in changed:
            path = self.root / name
            try:
                if name in self.recordings:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(self.recordings[name])
                else:
                    path.unlink()  # a file the snippet created: it was not there before
            except OSError:
                pass
        return changed

    def changed_data(self) -> list[str]:
        try:
            now = data_fingerprint(self.root, data_files(self.root, self.program))
        except OSError:
            now = {}
        return sorted(name for name in set(now) | set(self.data) if now.get(name) != self.data.get(name))


_recorded: set[str] = set()  # ids whose recording this process wrote
_recorded_lock = threading.Lock()


def run_programs(
    root: Path,
    programs: list[Program],
    *,
    jobs: int = 1,
    on_done: Callable[[RunResult], None] | None = None,
    **options: Any,
) -> list[RunResult]:
    """Run several programs, `jobs` at a time; Ctrl-C kills them all and re-raises."""
    commit = options.pop("commit", None) or git_commit(root)
    interrupted = threading.Event()

    def one(program: Program) -> RunResult:
        result = run_program(root, program, commit=commit, **options)
        if on_done and not interrupted.is_set():  # no "killed" noise after Ctrl-C
            on_done(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(one, program) for program in programs]
        try:
            return [future.result() for future in futures]
        except BaseException:
            interrupted.set()
            for future in futures:
                future.cancel()
            kill_all()
            raise
