"""Recorded outputs: docs/assets/recordings/<profile>/<id>.json plus <id>/cell<N>-fig<M>.png.

A recording is fresh while the program's code hash, the data files it read and (for the cpu
profile) the Python/torch/transformers versions are unchanged. A cuda recording keeps only
code + data: its environment is the GPU machine's, which CPU CI cannot reproduce.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import signal
import tempfile
from importlib import metadata
from pathlib import Path

from tools.snippets import Program, code_hash

__all__ = [
    "OUTPUT_LIMIT", "PROFILES", "SCHEMA", "RecordingError", "clean_output", "current_env", "data_fingerprint", "freshness",
    "load_recording", "package_version", "recording_path", "recordings_dir", "write_recording",
]

SCHEMA = 1
PROFILES = ("cpu", "cuda")
RECORDINGS_DIR = "docs/assets/recordings"
OUTPUT_LIMIT = 20_000  # characters of recorded output per cell

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
# tqdm-style progress bars: "Loading weights: 100%|█████| 148/148 [00:00<00:00, 912.3it/s]",
# and bars without a total: "Map: 148it [00:00, 912.30it/s]".
_BAR = re.compile(r"\d{1,3}%\||\[\d+:\d\d(?::\d\d)?(?:<[^,\]]*)?,\s*[\d.?]+\s*(?:[kMG]?it|[kMG]?B|s/it)/s\]")


class RecordingError(Exception):
    """A recording file that exists but cannot be used."""


def recordings_dir(root: Path, profile: str) -> Path:
    return root / RECORDINGS_DIR / profile


def recording_path(root: Path, snippet_id: str, profile: str) -> Path:
    return recordings_dir(root, profile) / f"{snippet_id}.json"


def load_recording(root: Path, snippet_id: str, profile: str) -> dict | None:
    """The recording of a snippet for a profile, or None if there is none."""
    path = recording_path(root, snippet_id, profile)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError) as error:
        raise RecordingError(f"{path.relative_to(root)}: not valid JSON ({error}); delete it and "
                             f"run `python -m tools run {snippet_id} --force`") from None


def package_version(name: str, *, local: bool = False) -> str | None:
    """Installed version of a distribution ("2.13.0"; with local=True "2.13.0+cpu"), or None."""
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
    return version if local else version.split("+")[0]


def current_env(profile: str) -> dict[str, str | None]:
    """The environment part of the fingerprint, for this interpreter."""
    return {
        "python": ".".join(platform.python_version_tuple()[:2]),
        "torch": package_version("torch"),
        "transformers": package_version("transformers"),
        "profile": profile,
    }


def _apply_carriage_returns(line: str) -> str:
    """What a terminal shows for a line rewritten with \\r: each segment overwrites from column 0."""
    screen = ""
    for segment in line.split("\r"):
        screen = segment + screen[len(segment):]
    return screen


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit * 3 // 4]
    head = head[: head.rfind("\n") + 1] or head
    tail = text[-(limit // 4):]
    tail = tail[tail.find("\n") + 1:] or tail
    omitted = len(text) - len(head) - len(tail)
    return f"{head}[… {omitted} characters truncated …]\n{tail}"


def clean_output(text: str, *, limit: int = OUTPUT_LIMIT) -> str:
    """Recorded text: ANSI escapes stripped, \\r applied, progress bars dropped, size capped."""
    lines = []
    for line in _ANSI.sub("", text.replace("\r\n", "\n")).split("\n"):
        if "\r" in line:  # keep what a terminal shows, minus the bars drawn over each other
            line = _apply_carriage_returns("\r".join(
                part for part in line.split("\r") if not _BAR.search(part)))
            if not line.strip():
                continue  # a bar erased with "\r   \r"
        if not _BAR.search(line):
            lines.append(line)
    return _truncate("\n".join(lines), limit)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def data_fingerprint(root: Path, rel_paths: list[str]) -> dict[str, str]:
    """sha256 of each data file (repository-relative posix paths) that still exists."""
    return {rel: sha256_file(root / rel) for rel in sorted(set(rel_paths)) if (root / rel).is_file()}


def freshness(root: Path, program: Program, recording: dict, *, check_env: bool) -> tuple[bool, str]:
    """(fresh, why not): compares code, data files and, for cpu recordings with check_env, env."""
    if recording.get("schema") != SCHEMA:
        return False, f"recording schema {recording.get('schema')!r}, expected {SCHEMA}"
    if recording.get("status") != "ok":
        return False, f"recording status is {recording.get('status')!r}"
    fingerprint = recording.get("fingerprint", {})
    if fingerprint.get("code") != code_hash(program):
        return False, "code changed"
    profile = recording.get("profile", "cpu")
    if check_env and profile == "cpu":
        recorded, now = fingerprint.get("env", {}), current_env(profile)
        changed = [f"{key} {recorded.get(key)} -> {now[key]}" for key in ("python", "torch",
                   "transformers") if recorded.get(key) != now[key]]
        if changed:
            return False, "env changed: " + ", ".join(changed)
    for rel, digest in sorted(fingerprint.get("data", {}).items()):
        path = root / rel
        if not path.is_file():
            return False, f"data file {rel} is missing"
        if sha256_file(path) != digest:
            return False, f"data file {rel} changed"
    return True, ""


def write_recording(directory: Path, snippet_id: str, recording: dict, *, figures: Path | None) -> None:
    """Install <id>.json and the <id>/ figure folder, replacing the old ones atomically.

    Everything is written into a temporary folder beside the target first; an interrupted run
    leaves the previous recording in place. SIGINT is held back during the final renames so
    the JSON and its figures are swapped together.
    """
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=directory, prefix=f".write-{snippet_id}-"))
    try:
        json_tmp = staging / f"{snippet_id}.json"
        json_tmp.write_text(json.dumps(recording, ensure_ascii=False, indent=1) + "\n",
                            encoding="utf-8")
        fig_tmp = staging / snippet_id
        if figures is not None and any(figures.iterdir()):
            shutil.copytree(figures, fig_tmp)
        target_figs = directory / snippet_id
        blocked = _block_sigint()
        try:
            if target_figs.exists():
                os.replace(target_figs, staging / "old-figures")
            if fig_tmp.exists():
                os.replace(fig_tmp, target_figs)
            os.replace(json_tmp, directory / f"{snippet_id}.json")
        finally:
            _unblock_sigint(blocked)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _block_sigint() -> bool:
    if not hasattr(signal, "pthread_sigmask"):
        return False
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    return True


def _unblock_sigint(blocked: bool) -> None:
    if blocked:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
