"""Run one generated snippet script cell by cell and record what each cell printed and drew.

    python -m tools.execution.driver snippets/<id>.py --program FILE --out DIR --repo ROOT
        [--threads 2] [--profile cpu] [--lifeline FD]

Started by tools.execution.runner inside a scratch directory that mirrors the repository with only
the program's declared data files. Each cell is compiled under its Markdown file name and line, so
tracebacks point at the page; linecache is primed with the cells' code, so nothing reads the page.
Output is captured at the file-descriptor level (C extensions, warnings and logging included).
Writes DIR/result.json and DIR/figures/cell<N>-fig<M>.png (with each figure's title and axis labels
in result.json). Progress lines ("@@cell N page:line")
go to stderr between cells. Exit status: 0 success, 1 the snippet raised.
"""

from __future__ import annotations

import argparse
import builtins
import ctypes
import importlib.abc
import importlib.util
import json
import linecache
import os
import platform
import random
import sys
import threading
import traceback
import types
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tools import profiles
from tools.recordings import FIGURE_AXES_LIMIT, FIGURE_TEXT_LIMIT, current_env, package_version
from tools.scripts import ScriptCell, script_cells

PROGRESS_PREFIX = "@@cell "
# The driver's own references, taken before any cell runs (a cell may replace os.replace).
_OPEN, _WRITE, _CLOSE, _REPLACE = os.open, os.write, os.close, os.replace
# Reads from these places are the tool's own business, not data the snippet depends on.
IGNORED_TOP = {".venv", ".git", "snippets", "build", "site", "node_modules", "__pycache__"}


class AfterImport(importlib.abc.MetaPathFinder):
    """Call back once a module is first imported: seed torch/numpy only if a snippet uses them."""

    def __init__(self, callbacks: dict[str, Callable[[types.ModuleType], None]]) -> None:
        self.callbacks = dict(callbacks)
        self.busy: set[str] = set()

    def find_spec(self, name, path=None, target=None):  # noqa: ANN001, ANN201 - importlib protocol
        if name not in self.callbacks or name in self.busy:
            return None
        self.busy.add(name)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            self.busy.discard(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        callback, exec_module = self.callbacks.pop(name), spec.loader.exec_module

        def exec_then_call_back(module: types.ModuleType) -> None:
            exec_module(module)
            callback(module)

        spec.loader.exec_module = exec_then_call_back  # type: ignore[method-assign]
        return spec


class FileGuard:
    """Audit hook: what the snippet opened, so the runner can reject a run that depends on or
    changes the repository behind its fence's back.

    The snippet runs in a scratch copy of the repository that holds only the files its fence
    declares (`data="…"`). Any attempt to write into the real repository (`repo`) is a violation
    and is refused (PermissionError, raised by the hook before the file is touched); so is
    opening a repository file that was not declared, whether relative to the scratch directory
    (it is missing there) or by its absolute path: the run fails with the `data=` to add.
    Writes by other programs (a shell the snippet starts) are invisible here; the runner
    compares the repository before and after the run for those.
    """

    # event → the positions of its arguments that are written (created, changed or removed);
    # a hard link to a repository file would let the snippet change it through the link.
    _WRITE_EVENTS = {
        "os.remove": (0,),
        "os.rename": (0, 1),
        "os.rmdir": (0,),
        "os.mkdir": (0,),
        "shutil.rmtree": (0,),
        "shutil.copyfile": (1,),
        "shutil.copytree": (1,),
        "shutil.move": (0, 1),
        "os.truncate": (0,),
        "os.chmod": (0,),
        "os.chown": (0,),
        "os.utime": (0,),
        "os.symlink": (1,),
        "os.link": (0, 1),
        "os.setxattr": (0,),
        "os.removexattr": (0,),
        "os.chflags": (0,),
        "os.lchflags": (0,),
        "os.lchmod": (0,),
        "shutil.chown": (0,),
    }

    def __init__(self, *, repo: Path, scratch: Path, out: Path | None = None) -> None:
        self.repo, self.scratch = repo.resolve(), scratch.resolve()
        self.out = out.resolve() if out is not None else self.scratch  # the driver's own files
        self.writes: list[str] = []  # repository paths the snippet wrote or removed
        self.undeclared: list[str] = []  # repository files it looked for in the scratch copy

    def _repo_rel(self, full: str) -> str | None:
        path = Path(full)
        if (
            path.is_relative_to(self.repo)
            and not path.is_relative_to(self.scratch)
            and not path.is_relative_to(self.out)
        ):
            return path.relative_to(self.repo).as_posix()
        return None

    def __call__(self, event: str, args: tuple) -> None:
        if event == "open":
            if not args or isinstance(args[0], int) or args[0] is None:
                return
            mode = args[1] if len(args) > 1 else None
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            if isinstance(mode, str):
                writes = any(char in mode for char in "wax+")
            else:
                writes = flags & os.O_ACCMODE != os.O_RDONLY or bool(flags & os.O_CREAT)
            self._saw(args[0], writes=writes)
        elif event in self._WRITE_EVENTS:
            for position in self._WRITE_EVENTS[event]:
                target = args[position] if len(args) > position else None
                if isinstance(target, (str, bytes, os.PathLike)):
                    self._saw(target, writes=True)

    def _saw(self, target: object, *, writes: bool) -> None:
        try:
            full = os.path.abspath(os.fsdecode(target))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return
        rel = self._repo_rel(os.path.realpath(full))
        if writes:
            if rel is not None and "__pycache__" not in rel.split("/") and not rel.startswith(".venv/"):
                self.writes.append(rel or ".")
                raise PermissionError(
                    13,
                    "snippets may not change the repository (they run in "
                    "a scratch copy of it; write files relative to the working "
                    "directory)",
                    full,
                )
            return
        path = Path(full)
        if rel is not None:  # an absolute path into the real repository
            top = rel.split("/")[0]
            if (
                top not in IGNORED_TOP
                and top != "tools"
                and (self.repo / rel).is_file()
                and not (self.scratch / rel).is_file()
            ):
                self.undeclared.append(rel)
            return
        # A relative read in the scratch copy of a repository file that was not copied there.
        if path.is_relative_to(self.scratch) and not path.exists():
            inside = path.relative_to(self.scratch)
            if inside.parts and inside.parts[0] not in IGNORED_TOP and (self.repo / inside).is_file():
                self.undeclared.append(inside.as_posix())


def prime_linecache(cells: list[ScriptCell]) -> None:
    """Give linecache the cells' code under their page names, so tracebacks and warnings show the
    page's lines without anything reading the page file (the page is never an input)."""
    pages: dict[str, list[str]] = {}
    for cell in cells:
        lines = pages.setdefault(cell.page, [])
        code = cell.code.splitlines(keepends=True)
        needed = cell.line - 1 + len(code)
        lines.extend(["\n"] * (needed - len(lines)))
        lines[cell.line - 1 : needed] = code
    for page, lines in pages.items():
        # mtime None: linecache.checkcache never discards the entry, nor looks at the disk.
        linecache.cache[page] = (sum(map(len, lines)), None, lines, page)


def _flush_streams() -> None:
    """Flush Python's stdout and stderr, also when a cell replaced or removed them
    (`sys.stdout = None`, a closed or broken stream object)."""
    for stream in {id(s): s for s in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)}.values():
        try:
            stream.flush()
        except Exception:  # noqa: BLE001, S110 - the snippet's stream, whatever it is now
            pass


@contextmanager
def capture_fds(path: Path) -> Iterator[None]:
    """Send fds 1 and 2 (stdout, stderr) to a file for the duration of the block."""
    _flush_streams()
    saved = os.dup(1), os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    try:
        yield
    finally:
        _flush_streams()
        try:
            ctypes.CDLL(None).fflush(None)  # C-level stdio buffers (printf in extensions)
        except (OSError, AttributeError):
            pass
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


FIGURES_PER_CELL_MAX = 50  # the pages show each one; the examples draw one or two


class TooManyFiguresError(Exception):
    """A cell left more figures open than a page can show."""


def _too_many(count: int) -> TooManyFiguresError:
    return TooManyFiguresError(
        f"the cell has {count} figures open; at most {FIGURES_PER_CELL_MAX} are "
        "recorded per cell: draw fewer, or close those the page should not "
        "show with plt.close(fig)"
    )


def limit_figures(plt: types.ModuleType) -> None:
    """Make pyplot refuse a new figure beyond the limit, where the cell asks for it (10,000
    figures took 1 GB before the cell ended). plt.subplots and friends call plt.figure."""
    original = plt.figure

    def figure(num=None, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - pyplot's
        count = len(plt.get_fignums())
        if count >= FIGURES_PER_CELL_MAX and (num is None or not plt.fignum_exists(num)):
            raise _too_many(count + 1)
        return original(num, *args, **kwargs)

    figure.__doc__, figure.__wrapped__ = original.__doc__, original  # type: ignore[attr-defined]
    plt.figure = figure


def _label(text: object) -> str:
    """A figure's text as one plain line, bounded (the recording's reader checks it again)."""
    line = " ".join(str(text or "").split())
    return "".join(char for char in line if char.isprintable())[:FIGURE_TEXT_LIMIT]


def figure_text(figure: object) -> dict:
    """What a figure says about itself: its suptitle, each plot's title and axis labels, and
    each colorbar's label (the alt text of the figure on the pages is built from these)."""
    suptitle = getattr(figure, "_suptitle", None)
    axes, scales = [], []
    for ax in list(getattr(figure, "axes", []))[:FIGURE_AXES_LIMIT]:
        colorbar = getattr(ax, "_colorbar", None)
        if colorbar is not None:  # a colorbar's label is on its long axis
            vertical = getattr(colorbar, "orientation", "vertical") == "vertical"
            label = _label(ax.get_ylabel() if vertical else ax.get_xlabel())
            if label:
                scales.append(label)
            continue
        axes.append(
            {"title": _label(ax.get_title()), "x": _label(ax.get_xlabel()), "y": _label(ax.get_ylabel())}
        )
    return {
        "title": _label(suptitle.get_text() if suptitle is not None else ""),
        "axes": axes,
        "scales": scales,
    }


def save_figures(folder: Path, index: int) -> tuple[list[str], list[dict]]:
    """Save and close open matplotlib figures (only if the snippet imported pyplot): their file
    names and what each says about itself (`figure_text`)."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return [], []
    names, texts = [], []
    fignums = plt.get_fignums()
    if len(fignums) > FIGURES_PER_CELL_MAX:
        plt.close("all")
        raise _too_many(len(fignums))  # made without plt.figure (Figure() and a manager)
    for number, fignum in enumerate(fignums, start=1):
        name = f"cell{index}-fig{number}.png"
        folder.mkdir(parents=True, exist_ok=True)
        figure = plt.figure(fignum)
        # No "Software" metadata: the PNG bytes then do not change with the matplotlib version.
        figure.savefig(folder / name, format="png", metadata={"Software": None})
        names.append(name)
        try:
            texts.append(figure_text(figure))
        except Exception:  # noqa: BLE001 - a figure without readable text keeps the plain alt text
            texts.append({"title": "", "axes": [], "scales": []})
    plt.close("all")
    return names, texts


def _close_figures() -> None:
    plt = sys.modules.get("matplotlib.pyplot")
    try:
        if plt is not None:
            plt.close("all")
    except Exception:  # noqa: BLE001, S110 - a figure that cannot even be closed: the run ends anyway
        pass


def to_json(value: object) -> str:
    """JSON text of the result (dicts, lists, str, int, float, bool, None), by the driver's own
    code: a cell that replaced json.dumps or patched the json module cannot change what the
    runner reads."""
    if value is None or value is True or value is False:
        return {None: "null", True: "true", False: "false"}[value]
    kind = type(value)
    if kind is str:
        value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates: "?"
        return '"' + "".join(_JSON_ESCAPES.get(char, char) for char in value) + '"'
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return float.__repr__(value) if value == value and value not in (_INF, -_INF) else "null"
    if kind is dict:
        return "{" + ", ".join(f"{to_json(str(k))}: {to_json(v)}" for k, v in value.items()) + "}"
    if kind in (list, tuple):
        return "[" + ", ".join(to_json(item) for item in value) + "]"
    return to_json(str(value))


_INF = float("inf")
_JSON_ESCAPES = {chr(code): f"\\u{code:04x}" for code in range(32)}
_JSON_ESCAPES.update({'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"})


def format_error(error: BaseException, pages: set[str]) -> tuple[str, int | None]:
    """The traceback with only the Markdown frames, and the page line of the failing statement."""
    summary = traceback.TracebackException.from_exception(error)
    line = None
    pending: list[traceback.TracebackException | None] = [summary]
    while pending:
        current = pending.pop()
        if current is None:
            continue
        frames = [frame for frame in current.stack if frame.filename in pages]
        if current is summary and frames:
            line = frames[-1].lineno
        current.stack = traceback.StackSummary.from_list(frames)
        pending += [current.__cause__, current.__context__]
    return "".join(summary.format()), line


def cpu_name() -> str:
    try:
        for text_line in Path("/proc/cpuinfo").read_text().splitlines():
            if text_line.startswith("model name"):
                return text_line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def device_name(profile: str, threads: int) -> str:
    if profiles.get(profile).torch_device == "cuda":
        import torch  # the cuda profile needs torch anyway

        if torch.cuda.is_available():
            return torch.cuda.get_device_name()
    return f"CPU: {cpu_name()} ({threads} threads)"


def kernel_isa_mismatch(profile: str) -> str:
    """ "" when ATen runs the kernels the profile pins (checked only if the snippet imported
    torch), else a note that makes the numerics differ from a pinned run's."""
    wanted = profiles.get(profile).pinned_env.get("ATEN_CPU_CAPABILITY")
    torch = sys.modules.get("torch")
    if not wanted or torch is None:
        return ""
    try:
        chosen = torch.backends.cpu.get_cpu_capability()
    except (AttributeError, RuntimeError):
        return ""
    return "" if chosen.lower() == wanted.lower() else f" (ATen chose {chosen})"


def run_cells(cells: list[ScriptCell], *, out: Path) -> dict:
    """Exec the cells in one fresh __main__ namespace; stop at the first error."""
    pages = {cell.page for cell in cells}
    results: list[dict] = []
    error = None
    namespace = types.ModuleType("__main__")
    namespace.__dict__.update(__file__=sys.argv[0], __builtins__=builtins)
    sys.modules["__main__"] = namespace
    for cell in cells:
        os.write(2, f"{PROGRESS_PREFIX}{cell.index}/{len(cells)} {cell.page}:{cell.line}\n".encode())
        capture = out / f"cell{cell.index}.out"
        with capture_fds(capture):
            try:
                code = compile("\n" * (cell.line - 1) + cell.code, cell.page, "exec", dont_inherit=True)
                exec(code, namespace.__dict__)  # noqa: S102 - running the snippet is the point
            except BaseException as exc:  # noqa: BLE001 - the snippet's failure is the result
                text, line = format_error(exc, pages)
                error = {
                    "index": cell.index,
                    "page": cell.page,
                    "line": line or cell.line,
                    "type": type(exc).__name__,
                    "traceback": text,
                }
            try:
                figures, texts = save_figures(out / "figures", cell.index)
            except BaseException as exc:  # noqa: BLE001 - e.g. a title matplotlib cannot draw
                figures, texts = [], []
                if error is None:
                    text, _ = format_error(exc, pages)
                    if isinstance(exc, TooManyFiguresError):
                        text = f"{exc}\n"
                    error = {
                        "index": cell.index,
                        "page": cell.page,
                        "line": cell.line,
                        "type": type(exc).__name__,
                        "traceback": f"while saving the figures the cell drew (savefig):\n{text}",
                    }
                _close_figures()
        output = capture.read_bytes().decode("utf-8", errors="replace")
        results.append(
            {
                "index": cell.index,
                "page": cell.page,
                "line": cell.line,
                "output": output,
                "figures": figures,
                "figure_text": texts,
            }
        )
        if error:
            break
    return {"status": "error" if error else "ok", "cells": results, "error": error}


def watch_lifeline(fd: int) -> None:
    """Die with the runner: a thread waits for end-of-file on the pipe whose write end only the
    runner holds (the kernel closes it when the runner dies, even by SIGKILL), then kills this
    process group (the driver and the snippet's children that stayed in it)."""

    def wait() -> None:
        try:
            while os.read(fd, 1):
                pass
        except OSError:
            return  # the snippet closed the descriptor: nothing to watch any more
        try:
            os.killpg(os.getpgrp(), 9)
        finally:
            os._exit(137)

    threading.Thread(target=wait, name="lifeline", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.execution.driver", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "script",
        type=Path,
        help="the script, relative to the scratch directory "
        "(argv[0] of the program, as when a reader runs it)",
    )
    parser.add_argument(
        "--program",
        type=Path,
        required=True,
        help="JSON of the program's cells: index, page, page line and code",
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--profile", choices=profiles.PROFILE_NAMES, default="cpu")
    parser.add_argument("--repo", type=Path, required=True, help="the real repository root")
    parser.add_argument(
        "--lifeline",
        type=int,
        help="a pipe descriptor: end-of-file means the runner died, and the driver kills its process group",
    )
    args = parser.parse_args(argv)
    if args.lifeline is not None:
        watch_lifeline(args.lifeline)
    try:
        cells = script_cells(json.loads(args.program.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        print(f"error: {args.program} is not a program the runner wrote ({error})", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    # Like `python snippets/<id>.py` from the repository root: the scratch directory is the
    # working directory, the script's folder first on sys.path, argv[0] the script.
    sys.argv = [str(args.script)]
    sys.path[0] = str(args.script.resolve().parent)
    warnings.filterwarnings("ignore", message=".*non-interactive.*cannot be shown")  # plt.show()
    random.seed(0)

    def seed_torch(torch: types.ModuleType) -> None:
        torch.manual_seed(0)
        torch.set_num_threads(args.threads)

    sys.meta_path.insert(
        0,
        AfterImport(
            {
                "torch": seed_torch,
                "numpy": lambda numpy: numpy.random.seed(0),
                "matplotlib.pyplot": limit_figures,
            }
        ),
    )
    prime_linecache(cells)
    guard = FileGuard(repo=args.repo, scratch=Path.cwd(), out=args.out)
    sys.addaudithook(guard)
    result = run_cells(cells, out=args.out)
    device = device_name(args.profile, args.threads)
    result["writes"] = sorted(set(guard.writes))
    result["undeclared"] = sorted(set(guard.undeclared))
    result["env"] = current_env(args.profile, threads=args.threads)
    result["env"]["numerics"] += kernel_isa_mismatch(args.profile)
    pinned = profiles.get(args.profile).environment(args.threads)
    result["provenance"] = {
        "device": device,
        "python": platform.python_version(),
        "torch": package_version("torch", local=True),
        "transformers": package_version("transformers", local=True),
        "threads": args.threads,
        "pinned_env": {key: os.environ.get(key, "") for key in pinned},
    }
    tmp = args.out / "result.json.tmp"
    fd = _OPEN(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        data = memoryview(to_json(result).encode("utf-8"))
        while data:
            data = data[_WRITE(fd, data) :]
    finally:
        _CLOSE(fd)
    _REPLACE(tmp, args.out / "result.json")
    return 0 if result["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
