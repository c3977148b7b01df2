"""Recorded outputs: recordings/<profile>/<id>.json plus recordings/<profile>/<id>/<figure>.png.

This module is the one place that knows where recordings live, what a valid one looks like and
whether one is usable. `recording_state` is the one decision: every command (check, run), the site
build and the report page ask it. A recording is

- fresh       while the program's code (AST, so comments and layout do not count) and the contents
              of the files its fence declares (`data="…"`) are those it was recorded with;
- env-drift   when it is fresh but was made in another numeric environment (torch, transformers,
              or the pinned numeric setting: tools.profiles) than this machine has: still shown,
              its provenance says what it ran on (Python version and CPU model are provenance
              only, never drift);
- code-changed / data-changed: stale, not shown, fails the strict build (cpu) or is dropped (cuda);
- missing     when there is no file;
- broken      when the file is not a valid recording (wrong shape, a figure path that leaves its
              folder, a figure file that is missing). Recordings are untrusted input: every reader
              goes through `load_recording`, which parses the file into a frozen `Recording`
              (every field checked against its type) or says what is wrong.

`program_states` is the states of every program under every profile: computed once per state of
the repository (the site build shares one computation between its hooks and languages).

Figure files carry a digest of their bytes in their name (`cell2-fig1-0123abcd.png`), so writing a
new recording never overwrites a figure an older JSON points to: new figures first, then the JSON
(atomic rename), then the figures nothing points to any more are deleted. A crash at any moment
leaves a JSON whose figures all exist.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import MappingProxyType, UnionType
from typing import Any

from tools import profiles
from tools.files import write_bytes_atomic
from tools.programs import Program, code_hash, data_files

__all__ = [
    "ERROR",
    "HIDE",
    "NOTE",
    "OUTPUT_LIMIT",
    "PROFILES",
    "RECORDINGS_DIR",
    "SCHEMA",
    "SHOW",
    "FIGURE_AXES_LIMIT",
    "FIGURE_TEXT_LIMIT",
    "WARNING",
    "AxesText",
    "Cell",
    "Env",
    "FigureText",
    "Fingerprint",
    "Provenance",
    "Recording",
    "RecordingError",
    "RecordingState",
    "RunLockedError",
    "clean_output",
    "consequence",
    "current_env",
    "env_drift",
    "figure_path",
    "load_recording",
    "package_version",
    "parse_figure_text",
    "parse_recording",
    "program_states",
    "recording_json",
    "recording_lock",
    "recording_path",
    "recording_state",
    "recordings_dir",
    "repair_command",
    "validate_recording",
    "write_recording",
]

SCHEMA = 3
PROFILES = profiles.PROFILE_NAMES  # the names; tools.profiles says what each one means
RECORDINGS_DIR = "recordings"
OUTPUT_LIMIT = 20_000  # characters of recorded output per cell
ENV_KEYS = profiles.NUMERIC_KEYS
# What a figure says about itself (its suptitle, each plot's title and axis labels, each
# colorbar's label), recorded beside its file name: bounded, one-line plain text.
FIGURE_TEXT_LIMIT = 200  # characters per string
FIGURE_AXES_LIMIT = 32  # plots (and colorbars) per figure
FIGURE_NAME = re.compile(r"cell(?P<cell>[1-9]\d{0,3})-fig(?P<n>[1-9]\d{0,3})-(?P<digest>[0-9a-f]{8})\.png")

# The states a recording can be in; USABLE ones are embedded in the site.
FRESH, ENV_DRIFT = "fresh", "env-drift"
CODE_CHANGED, DATA_CHANGED, MISSING, BROKEN = "code-changed", "data-changed", "missing", "broken"
USABLE = (FRESH, ENV_DRIFT)

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
# tqdm-style progress bars: "Loading weights: 100%|█████| 148/148 [00:00<00:00, 912.3it/s]",
# and bars without a total: "Map: 148it [00:00, 912.30it/s]".
_BAR = re.compile(r"\d{1,3}%\||\[\d+:\d\d(?::\d\d)?(?:<[^,\]]*)?,\s*[\d.?]+\s*(?:[kMG]?it|[kMG]?B|s/it)/s\]")


class RecordingError(Exception):
    """A recording file that exists but cannot be used (the message says why and how to repair)."""


class RunLockedError(Exception):
    """Another `tools run` is recording into the same folder."""


# ---------------------------------------------------------------------------------------------
# Where recordings live


def recordings_dir(root: Path, profile: str) -> Path:
    return root / RECORDINGS_DIR / profile


def recording_path(root: Path, snippet_id: str, profile: str) -> Path:
    return recordings_dir(root, profile) / f"{snippet_id}.json"


def figure_path(root: Path, snippet_id: str, profile: str, figure: str) -> Path:
    """The file of a validated figure name (the name cannot leave the snippet's folder)."""
    if not FIGURE_NAME.fullmatch(figure):
        raise RecordingError(f"figure name {figure!r} is not of the form cellN-figM-<digest>.png")
    return recordings_dir(root, profile) / snippet_id / figure


def repair_command(snippet_id: str, profile: str) -> str:
    """The one command that re-records a snippet (a GPU profile: on the GPU machine)."""
    return profiles.get(profile).repair_command(snippet_id)


# ---------------------------------------------------------------------------------------------
# The record: what recordings/<profile>/<id>.json holds, one frozen type per JSON object, its
# fields in the order the file lists them. `load_recording` is the one reader (JSON → Recording,
# every field checked), `write_recording` the one writer (Recording → the same JSON, byte for
# byte: tests/test_recordings.py re-serialises every committed recording).


def _freeze(record: object, name: str) -> None:
    """A mapping field as a read-only copy (a frozen record is frozen all the way down)."""
    object.__setattr__(record, name, MappingProxyType(dict(getattr(record, name))))


@dataclass(frozen=True)
class AxesText:
    """What one plot of a figure says about itself (shown as alt text)."""

    title: str
    x: str
    y: str


@dataclass(frozen=True)
class FigureText:
    """What one figure says about itself: its suptitle, each plot, each colorbar's label."""

    title: str
    axes: tuple[AxesText, ...]
    scales: tuple[str, ...]


@dataclass(frozen=True)
class Cell:
    """One recorded cell: its fence (page, line), what it printed and the figures it drew."""

    index: int  # 1, 2, … in program order
    page: str  # docs/zh/… (repository-relative)
    line: int
    output: str  # clean_output's text
    figures: tuple[str, ...]  # cellN-figM-<digest>.png inside recordings/<profile>/<id>/
    # One per figure; absent (None) in recordings made before it, or when the driver could not
    # read a figure's texts (the pages then name the cell in the alt text).
    figure_text: tuple[FigureText, ...] | None = None


@dataclass(frozen=True)
class Fingerprint:
    """What freshness is decided on: the program's code hash and its declared data files."""

    code: str
    data: Mapping[str, str]  # repository-relative path → sha256

    def __post_init__(self) -> None:
        _freeze(self, "data")


@dataclass(frozen=True)
class Env:
    """The numeric environment (tools.profiles.NUMERIC_KEYS): drift is decided on it."""

    torch: str | None
    transformers: str | None
    numerics: str

    def as_dict(self) -> dict[str, str | None]:
        return {key: getattr(self, key) for key in ENV_KEYS}


@dataclass(frozen=True)
class Provenance:
    """Where, when and with what the recording was made: shown on the page, never freshness."""

    device: str
    python: str
    torch: str | None  # with the local version ("2.13.0+cpu")
    transformers: str | None
    threads: int
    pinned_env: Mapping[str, str]  # the profile's pinned variables as the run had them
    duration_s: int | float
    date: str  # ISO 8601, UTC
    commit: str

    def __post_init__(self) -> None:
        _freeze(self, "pinned_env")


@dataclass(frozen=True)
class Recording:
    """One snippet's recorded run under one profile."""

    schema: int
    id: str
    profile: str
    status: str
    fingerprint: Fingerprint
    env: Env
    provenance: Provenance
    cells: tuple[Cell, ...]

    def cell(self, index: int) -> Cell | None:
        """The cell with this 1-based index, None when the recording has none."""
        return next((cell for cell in self.cells if cell.index == index), None)


_NAMES = {str: "str", int: "int", float: "float", type(None): "null"}


def _parse(value: Any, hint: Any, where: str) -> Any:
    """`value` (parsed JSON) as the type `hint` (a record above, tuple[X, ...], Mapping[str, X],
    str, int, float, a union of these), or RecordingError naming the path of what is wrong."""
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise RecordingError(f"{where or 'the file'} must be an object, not {type(value).__name__}")
        hints = _hints(hint)
        unknown = sorted(set(value) - {item.name for item in dataclasses.fields(hint)})
        if unknown:  # what the writer would drop: the reader refuses it instead
            raise RecordingError(
                f"{where or 'the recording'} has the unknown field {unknown[0]!r} "
                f"(schema {SCHEMA} has no such field; re-record it)"
            )
        values = {}
        for item in dataclasses.fields(hint):
            path = f"{where}.{item.name}" if where else item.name
            if item.name in value:
                optional = item.default is None  # may be absent, never null
                sub = _not_none(hints[item.name]) if optional else hints[item.name]
                values[item.name] = _parse(value[item.name], sub, path)
            elif item.default is dataclasses.MISSING:
                raise RecordingError(f"{where or 'the recording'} lacks {item.name!r}")
        return hint(**values)
    origin = typing.get_origin(hint)
    if origin is tuple:
        if not isinstance(value, list):
            raise RecordingError(f"{where} must be a list, not {type(value).__name__}")
        item = typing.get_args(hint)[0]
        return tuple(_parse(sub, item, f"{where}[{number}]") for number, sub in enumerate(value))
    if origin is Mapping:
        if not isinstance(value, dict):
            raise RecordingError(f"{where} must be an object, not {type(value).__name__}")
        item = typing.get_args(hint)[1]
        return {key: _parse(sub, item, f"{where}[{key!r}]") for key, sub in value.items()}
    types = typing.get_args(hint) if origin in (UnionType, typing.Union) else (hint,)
    if isinstance(value, bool) or not isinstance(value, types):
        names = " or ".join(_NAMES[t] for t in types)
        raise RecordingError(f"{where} must be {names}, not {type(value).__name__}")
    return value


@functools.cache
def _hints(record: type) -> dict[str, Any]:
    return typing.get_type_hints(record)


def _not_none(hint: Any) -> Any:
    """X for `X | None`."""
    rest = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    return rest[0] if len(rest) == 1 else hint


def _plain(value: Any) -> Any:
    """A record as the JSON values it was read from: fields in order, an absent optional field
    (None where its default is None) left out, tuples as lists, mappings as objects."""
    if dataclasses.is_dataclass(value):
        return {
            item.name: _plain(getattr(value, item.name))
            for item in dataclasses.fields(value)
            if not (item.default is None and getattr(value, item.name) is None)
        }
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


def recording_json(recording: Recording) -> str:
    """The text of a recording's file (what write_recording writes)."""
    return json.dumps(_plain(recording), ensure_ascii=False, indent=1) + "\n"


def parse_recording(data: Any, *, snippet_id: str, profile: str, folder: Path | None = None) -> Recording:
    """The Recording that parsed JSON `data` holds, checked for this snippet and profile (and,
    with `folder`, its figure files); RecordingError says what is wrong."""
    if isinstance(data, dict) and data.get("schema") != SCHEMA:
        raise RecordingError(f"schema {data.get('schema')!r}, this tool reads {SCHEMA}")
    recording = _parse(data, Recording, "")
    return validate_recording(recording, snippet_id=snippet_id, profile=profile, folder=folder)


def validate_recording(
    recording: Recording, *, snippet_id: str, profile: str, folder: Path | None = None
) -> Recording:
    """Raise RecordingError unless `recording` is a usable recording of this snippet: what its
    types cannot say (ids, status, bounds, figure names and, with `folder`, figure files)."""
    if recording.id != snippet_id or recording.profile != profile:
        raise RecordingError(
            f"it is the recording of {recording.id!r} ({recording.profile}), not of {snippet_id!r} ({profile})"
        )
    if recording.status != "ok":
        raise RecordingError(f"status is {recording.status[:80]!r}, not 'ok'")
    duration = recording.provenance.duration_s
    if not 0 <= duration < 10**7:  # also refuses NaN and Infinity
        raise RecordingError(f"provenance.duration_s is {duration!r}, not a number of seconds")
    indexes = [cell.index for cell in recording.cells]
    if indexes != list(range(1, len(indexes) + 1)):
        raise RecordingError(f"cell indexes {indexes} are not 1, 2, …")
    for cell in recording.cells:
        if len(cell.output) > OUTPUT_LIMIT + 100:  # clean_output never records more
            raise RecordingError(
                f"cell {cell.index} has {len(cell.output)} characters of "
                f"output; a recording keeps at most {OUTPUT_LIMIT}"
            )
        for figure in cell.figures:
            match = FIGURE_NAME.fullmatch(figure)
            if match is None or int(match["cell"]) != cell.index:
                raise RecordingError(
                    f"cell {cell.index} names figure {figure!r}; figures are "
                    f"cell{cell.index}-figN-<digest>.png inside {snippet_id}/"
                )
            if folder is not None:
                _check_figure(folder, snippet_id, figure, match["digest"])
        if cell.figure_text is not None:
            _check_figure_text(
                cell.figure_text, figures=len(cell.figures), where=f"cell {cell.index}.figure_text"
            )
    return recording


def parse_figure_text(data: Any, *, figures: int, where: str = "figure_text") -> tuple[FigureText, ...]:
    """What `figures` figures say about themselves, from parsed JSON (the driver's), or
    RecordingError: one FigureText per figure, each string a bounded line of printable text
    (it becomes alt text on the pages)."""
    texts = _parse(data, tuple[FigureText, ...], where)
    _check_figure_text(texts, figures=figures, where=where)
    return texts


def _check_figure_text(texts: tuple[FigureText, ...], *, figures: int, where: str) -> None:
    if len(texts) != figures:
        raise RecordingError(f"{where} has {len(texts)} entries for {figures} figures")
    for number, entry in enumerate(texts):
        if len(entry.axes) + len(entry.scales) > FIGURE_AXES_LIMIT:
            raise RecordingError(f"{where}[{number}] describes more than {FIGURE_AXES_LIMIT} plots")
        strings = [entry.title, *entry.scales]
        strings += [value for axes in entry.axes for value in (axes.title, axes.x, axes.y)]
        for value in strings:
            if len(value) > FIGURE_TEXT_LIMIT or not value.isprintable():
                raise RecordingError(
                    f"{where}[{number}] holds {value[:40]!r}…: figure texts are "
                    f"printable lines of at most {FIGURE_TEXT_LIMIT} characters"
                )


def _check_figure(folder: Path, snippet_id: str, figure: str, digest: str) -> None:
    """A figure is a plain file inside <folder>/<id>/ (no symbolic link on the way, so it
    cannot point outside) whose bytes match the digest in its name."""
    base = folder / snippet_id
    path = base / figure
    if base.is_symlink() or path.is_symlink():
        raise RecordingError(
            f"figure {snippet_id}/{figure} is a symbolic link; figures are "
            f"plain files inside {folder.name}/{snippet_id}/"
        )
    if not path.is_file():
        raise RecordingError(f"figure {snippet_id}/{figure} is missing")
    try:
        actual = sha256_file(path)[:8]
    except OSError as error:
        raise RecordingError(f"figure {snippet_id}/{figure} cannot be read ({error.strerror})") from None
    if actual != digest:
        raise RecordingError(
            f"figure {snippet_id}/{figure} is not the recorded figure (its "
            f"bytes do not match the digest {digest} in its name)"
        )
    problem = png_problem(path)
    if problem:
        raise RecordingError(f"figure {snippet_id}/{figure} {problem}")


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIGURE_MAX_BYTES = 20 * 2**20
FIGURE_MAX_PIXELS = 40_000_000  # a 10,000 x 4,000 figure; matplotlib's are ~0.5 MP


def png_problem(path: Path) -> str | None:
    """Why a figure file is not a PNG readers may be served (None when it is one): its
    signature, its IHDR dimensions and its size are checked without decoding it."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(24)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if head[:8] != PNG_SIGNATURE or head[12:16] != b"IHDR":
        return "is not a PNG file (figures are PNG images drawn by the snippet)"
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if size > FIGURE_MAX_BYTES or width * height > FIGURE_MAX_PIXELS or not width or not height:
        return (
            f"is {width}x{height} px, {size} bytes: beyond the bounds of a figure "
            f"({FIGURE_MAX_PIXELS:,} pixels, {FIGURE_MAX_BYTES // 2**20} MB); draw it smaller"
        )
    return None


def load_recording(root: Path, snippet_id: str, profile: str) -> Recording | None:
    """The validated recording of a snippet for a profile, None if there is none;
    RecordingError (with the path and the repair command) if the file is not a valid recording."""
    path = recording_path(root, snippet_id, profile)
    rel = path.relative_to(root).as_posix()
    try:
        raw = read_bounded(path, RECORDING_MAX_BYTES)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise RecordingError(f"{rel}: cannot be read ({error.strerror})") from None
    except ValueError as error:
        raise RecordingError(f"{rel}: {error}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise RecordingError(f"{rel}: not valid JSON ({error})") from None
    try:
        return parse_recording(data, snippet_id=snippet_id, profile=profile, folder=path.parent)
    except RecordingError as error:
        raise RecordingError(f"{rel}: {error}") from None


RECORDING_MAX_BYTES = 64 * 2**20


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. A FIFO, a device (a link to
    /dev/zero), a folder or a larger file is refused with ValueError instead of hanging or
    exhausting memory; FileNotFoundError when there is none."""
    import stat

    mode = path.stat().st_mode  # follows links: what would be read
    if not stat.S_ISREG(mode):
        raise ValueError("is not a regular file (a FIFO, device or folder); replace it with the file itself")
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"is larger than {limit // 2**20} MB; no such file is read")
    return data


# ---------------------------------------------------------------------------------------------
# Environment: provenance, never freshness


@functools.lru_cache(maxsize=64)  # importlib.metadata scans sys.path (~5 ms a call)
def package_version(name: str, *, local: bool = False) -> str | None:
    """Installed version of a distribution ("2.13.0"; with local=True "2.13.0+cpu"), or None."""
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
    return version if local else version.split("+")[0]


def current_env(profile: str, *, threads: int = profiles.DEFAULT_THREADS) -> dict[str, str | None]:
    """The numeric environment a run of `profile` gets here: what decides whether its outputs
    can be compared bit for bit with a recording (tools.profiles.NUMERIC_KEYS)."""
    return {
        "torch": package_version("torch"),
        "transformers": package_version("transformers"),
        "numerics": profiles.get(profile).numerics(threads),
    }


def env_drift(recording: Recording, env: Mapping[str, str | None]) -> list[str]:
    """["torch 2.13.0 -> 2.14.1", …]: how the recording's numeric environment differs from `env`."""
    recorded = recording.env.as_dict()
    return [
        f"{key} {recorded[key]} -> {env[key]}" for key in ENV_KEYS if key in env and recorded[key] != env[key]
    ]


# ---------------------------------------------------------------------------------------------
# The one decision


@dataclass(frozen=True)
class RecordingState:
    """One profile's recording of a program, and whether it may be shown."""

    profile: str  # a name of tools.profiles.PROFILES
    recording: Recording | None  # None: missing or broken
    state: str  # fresh | env-drift | code-changed | data-changed | missing | broken
    reason: str = ""  # why it is not fresh ("" when fresh)

    @property
    def usable(self) -> bool:
        return self.state in USABLE

    @property
    def status(self) -> str:
        """Coarse status for the report page: fresh, stale, missing or broken."""
        if self.state in USABLE:
            return "fresh"
        return self.state if self.state in (MISSING, BROKEN) else "stale"


# What a state leads to, decided once: every command, the build, the report and the notebooks
# act on this, never on the state names themselves.
SHOW = "show"  # shown, nothing to say
NOTE = "note"  # shown; its provenance differs from this machine (a note, never a failure)
HIDE = "hide"  # not shown, nothing to say (an optional profile that was never recorded)
WARNING = "warning"  # not shown; `check` warns, the build only logs it (an optional profile)
ERROR = "error"  # not shown; `check` and the strict build fail


def consequence(state: RecordingState) -> str:
    """show / note / hide / warning / error for one profile's recording state."""
    if state.state == FRESH:
        return SHOW
    if state.state == ENV_DRIFT:
        return NOTE
    required = profiles.get(state.profile).required
    if state.state == BROKEN or required:
        return ERROR
    return HIDE if state.state == MISSING else WARNING


def data_fingerprint(root: Path, rel_paths: list[str]) -> dict[str, str]:
    """sha256 of each file (repository-relative posix paths)."""
    return {rel: sha256_file(root / rel) for rel in sorted(set(rel_paths))}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def recording_state(
    root: Path,
    program: Program | None,
    snippet_id: str,
    profile: str,
    *,
    env: dict[str, str | None] | None = None,
) -> RecordingState:
    """fresh / env-drift / code-changed / data-changed / missing / broken, with the reason."""
    try:
        recording = load_recording(root, snippet_id, profile)
    except RecordingError as error:
        return RecordingState(profile, None, BROKEN, str(error))
    if recording is None:
        rel = recording_path(root, snippet_id, profile).relative_to(root).as_posix()
        return RecordingState(profile, None, MISSING, f"{rel} does not exist")
    if program is None:
        return RecordingState(profile, recording, CODE_CHANGED, "docs/zh has no fence with this id")
    if recording.fingerprint.code != code_hash(program):
        return RecordingState(profile, recording, CODE_CHANGED, "code changed")
    if len(recording.cells) != len(program.cells):
        return RecordingState(
            profile,
            recording,
            CODE_CHANGED,
            f"it has {len(recording.cells)} cells, the program {len(program.cells)}",
        )
    recorded = recording.fingerprint.data
    now = data_files(root, program)
    if sorted(recorded) != now:
        added, removed = sorted(set(now) - set(recorded)), sorted(set(recorded) - set(now))
        what = ", ".join([f"+{rel}" for rel in added] + [f"-{rel}" for rel in removed])
        return RecordingState(profile, recording, DATA_CHANGED, f"declared data files changed ({what})")
    for rel, digest in sorted(recorded.items()):
        if sha256_file(root / rel) != digest:
            return RecordingState(profile, recording, DATA_CHANGED, f"data file {rel} changed")
    threads = recording.provenance.threads
    drift = env_drift(recording, env if env is not None else current_env(profile, threads=threads))
    if drift:
        return RecordingState(profile, recording, ENV_DRIFT, "recorded with " + ", ".join(drift))
    return RecordingState(profile, recording, FRESH)


def program_states(root: Path, programs: Mapping[str, Program]) -> dict[str, list[RecordingState]]:
    """Every program's state under every profile (in PROFILES order): the one computation the
    site build makes per state of the repository; its hooks and languages share it."""
    return {
        snippet_id: [recording_state(root, program, snippet_id, profile) for profile in PROFILES]
        for snippet_id, program in programs.items()
    }


# ---------------------------------------------------------------------------------------------
# Output text


def _apply_carriage_returns(line: str) -> str:
    """What a terminal shows for a line rewritten with \\r: each segment overwrites from column 0."""
    screen = ""
    for segment in line.split("\r"):
        screen = segment + screen[len(segment) :]
    return screen


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit * 3 // 4]
    head = head[: head.rfind("\n") + 1] or head
    tail = text[-(limit // 4) :]
    tail = tail[tail.find("\n") + 1 :] or tail
    omitted = len(text) - len(head) - len(tail)
    return f"{head}[… {omitted} characters truncated …]\n{tail}"


def clean_output(text: str, *, limit: int = OUTPUT_LIMIT) -> str:
    """Recorded text: ANSI escapes stripped, \\r applied, progress bars dropped, size capped."""
    if len(text) > 8 * limit:  # only a head and a tail can be kept: clean just those
        head = _clean_lines(text[: 4 * limit])[: limit * 3 // 4]
        head = head[: head.rfind("\n") + 1] or head
        tail = _clean_lines(text[-2 * limit :])[-(limit // 4) :]
        tail = tail[tail.find("\n") + 1 :] or tail
        omitted = len(text) - len(head) - len(tail)
        return f"{head}[… {omitted} characters truncated …]\n{tail}"
    return _truncate(_clean_lines(text), limit)


def _clean_lines(text: str) -> str:
    lines = []
    for line in _ANSI.sub("", text.replace("\r\n", "\n")).split("\n"):
        if "\r" in line:  # keep what a terminal shows, minus the bars drawn over each other
            line = _apply_carriage_returns(
                "\r".join(part for part in line.split("\r") if not _BAR.search(part))
            )
            if not line.strip():
                continue  # a bar erased with "\r   \r"
        if not _BAR.search(line):
            lines.append(line)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Writing


@contextlib.contextmanager
def recording_lock(root: Path, profile: str) -> Iterator[None]:
    """Hold recordings/<profile>/.lock; RunLockedError if another run holds it."""
    folder = recordings_dir(root, profile)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".lock"
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise RunLockedError(
                f"another `python -m tools run` (pid {holder}) is recording into "
                f"{folder.relative_to(root)}/; wait for it to finish (or stop it) "
                "and run again"
            ) from None
        handle.seek(0)
        left = handle.read().strip()
        if left and left != str(os.getpid()):  # released by the kernel, not by its holder
            print(
                f"note: {path.relative_to(root)} was left by pid {left[:20]}, which ended "
                "without releasing it (killed?); taking it over. Its run recorded nothing "
                "unless it printed `ok`; `python -m tools check` lists what is stale",
                file=sys.stderr,
                flush=True,
            )
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def figure_name(cell: int, number: int, data: bytes) -> str:
    return f"cell{cell}-fig{number}-{hashlib.sha256(data).hexdigest()[:8]}.png"


def write_recording(
    directory: Path, snippet_id: str, recording: Recording, *, figures: Mapping[str, bytes]
) -> None:
    """Install <id>.json and its figures (name → PNG bytes) without ever leaving a JSON that
    points to a missing figure: new figures, then the JSON (atomic rename), then cleanup.
    SIGINT is held back while the JSON is swapped."""
    validate_recording(recording, snippet_id=snippet_id, profile=recording.profile)
    named = {figure for cell in recording.cells for figure in cell.figures}
    if named != set(figures):
        raise ValueError(f"figures {sorted(figures)} do not match the cells' {sorted(named)}")
    directory.mkdir(parents=True, exist_ok=True)
    folder = directory / snippet_id
    for name, data in figures.items():
        target = folder / name
        if not target.is_file() or target.read_bytes() != data:
            folder.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(target, data, fsync=True)
    text = recording_json(recording)
    blocked = _block_sigint()
    try:
        write_bytes_atomic(directory / f"{snippet_id}.json", text.encode("utf-8"), fsync=True)
    finally:
        _unblock_sigint(blocked)
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name not in named:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty


def _block_sigint() -> bool:
    if not hasattr(signal, "pthread_sigmask"):
        return False
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    return True


def _unblock_sigint(blocked: bool) -> None:
    if blocked:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
