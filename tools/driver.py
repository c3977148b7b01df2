"""Run one generated snippet script cell by cell and record what each cell printed and drew.

    python -m tools.driver snippets/<id>.py --out DIR [--threads 2] [--profile cpu]

Each cell is compiled under its Markdown file name and line, so tracebacks point at the page.
Output is captured at the file-descriptor level (C extensions, warnings and logging included).
Writes DIR/result.json and DIR/figures/cell<N>-fig<M>.png. Progress lines ("@@cell N page:line")
go to stderr between cells. Exit status: 0 success, 1 the snippet raised.
"""

from __future__ import annotations

import argparse
import builtins
import ctypes
import importlib.abc
import importlib.util
import json
import os
import platform
import random
import sys
import traceback
import types
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tools.cli_extract import ScriptCell, parse_script
from tools.recording import current_env, package_version

PROGRESS_PREFIX = "@@cell "
# Reads from these places are the tool's own business, not data the snippet depends on.
IGNORED_TOP = {".venv", ".git", "snippets", "build", "site", "node_modules"}


class AfterImport(importlib.abc.MetaPathFinder):
    """Call back once a module is first imported: seed torch/numpy only if a snippet uses them."""

    def __init__(self, callbacks: dict[str, Callable[[types.ModuleType], None]]) -> None:
        self.callbacks = dict(callbacks)
        self.busy: set[str] = set()

    def find_spec(self, name, path=None, target=None):  # noqa: ANN001 - importlib protocol
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


class OpenRecorder:
    """Audit hook on "open": remember whether each file was first read or first written."""

    def __init__(self) -> None:
        self.first_use: dict[str, str] = {}

    def __call__(self, event: str, args: tuple) -> None:
        if event != "open" or not args or isinstance(args[0], int) or args[0] is None:
            return
        path, mode = args[0], args[1] if len(args) > 1 else None
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        try:
            full = os.path.abspath(os.fsdecode(path))
        except (TypeError, ValueError):
            return
        if full not in self.first_use:
            if isinstance(mode, str):
                writes = any(char in mode for char in "wax")
            else:
                writes = flags & os.O_ACCMODE == os.O_WRONLY or bool(flags & os.O_CREAT)
            self.first_use[full] = "write" if writes else "read"

    def files(self, root: Path, exclude: Path, *, use: str) -> list[str]:
        """Repository files whose first use was `use` ("read": data files; "write": outputs)."""
        root, exclude = root.resolve(), exclude.resolve()
        found = set()
        for full, first_use in self.first_use.items():
            path = Path(os.path.realpath(full))
            if first_use != use or not path.is_file() or not path.is_relative_to(root):
                continue
            rel = path.relative_to(root)
            if path.is_relative_to(exclude) or rel.parts[0] in IGNORED_TOP \
                    or "__pycache__" in rel.parts or rel.as_posix().startswith("docs/assets/recordings/"):
                continue
            found.add(rel.as_posix())
        return sorted(found)


@contextmanager
def capture_fds(path: Path) -> Iterator[None]:
    """Send fds 1 and 2 (stdout, stderr) to a file for the duration of the block."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        try:
            ctypes.CDLL(None).fflush(None)  # C-level stdio buffers (printf in extensions)
        except (OSError, AttributeError):
            pass
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


def save_figures(folder: Path, index: int) -> list[str]:
    """Save and close open matplotlib figures (only if the snippet imported pyplot)."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    names = []
    for number, fignum in enumerate(plt.get_fignums(), start=1):
        name = f"cell{index}-fig{number}.png"
        folder.mkdir(parents=True, exist_ok=True)
        # No "Software" metadata: the PNG bytes then do not change with the matplotlib version.
        plt.figure(fignum).savefig(folder / name, format="png", metadata={"Software": None})
        names.append(name)
    plt.close("all")
    return names


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
    if profile == "cuda":
        import torch  # the cuda profile needs torch anyway

        if torch.cuda.is_available():
            return torch.cuda.get_device_name()
    return f"CPU: {cpu_name()} ({threads} threads)"


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
                exec(code, namespace.__dict__)
            except BaseException as exc:  # noqa: BLE001 - the snippet's failure is the result
                text, line = format_error(exc, pages)
                error = {"index": cell.index, "page": cell.page, "line": line or cell.line,
                         "type": type(exc).__name__, "traceback": text}
            figures = save_figures(out / "figures", cell.index)
        output = capture.read_bytes().decode("utf-8", errors="replace")
        results.append({"index": cell.index, "page": cell.page, "line": cell.line,
                        "output": output, "figures": figures})
        if error:
            break
    return {"status": "error" if error else "ok", "cells": results, "error": error}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.driver", description=__doc__.split("\n")[0])
    parser.add_argument("script", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--profile", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    cells = parse_script(args.script.read_text(encoding="utf-8"))
    args.out.mkdir(parents=True, exist_ok=True)
    # Like `python snippets/<id>.py`: the script's folder first on sys.path, argv[0] the script.
    sys.argv = [str(args.script)]
    sys.path[0] = str(args.script.resolve().parent)
    warnings.filterwarnings("ignore", message=".*non-interactive.*cannot be shown")  # plt.show()
    random.seed(0)

    def seed_torch(torch: types.ModuleType) -> None:
        torch.manual_seed(0)
        torch.set_num_threads(args.threads)

    sys.meta_path.insert(0, AfterImport({"torch": seed_torch,
                                         "numpy": lambda numpy: numpy.random.seed(0)}))
    reads = OpenRecorder()
    sys.addaudithook(reads)
    result = run_cells(cells, out=args.out)
    result["data_files"] = reads.files(args.root, exclude=args.out, use="read")
    result["written_files"] = reads.files(args.root, exclude=args.out, use="write")
    result["env"] = current_env(args.profile)
    result["provenance"] = {
        "device": device_name(args.profile, args.threads), "python": platform.python_version(),
        "torch": package_version("torch", local=True),
        "transformers": package_version("transformers", local=True), "threads": args.threads,
    }
    tmp = args.out / "result.json.tmp"
    tmp.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, args.out / "result.json")
    return 0 if result["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
