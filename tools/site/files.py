"""python -m tools site-files: the generated files the site serves, written before each build.

Both site engines build from docs/, so the files they serve beside the pages are generated into
git-ignored places inside it, by one step that MkDocs runs in its pre-build hook and `make
build-zensical` runs before Zensical:

    docs/assets/generated/figures/<profile>/<id>/<figure>.png   figures of usable recordings
    docs/assets/generated/downloads/<id>.py                     the standalone script
    docs/assets/generated/downloads/<id>.<lang>.ipynb           the notebook to download
    docs/<lang>/notebooks/<id>.ipynb                            the notebook page (mkdocs-jupyter)

A file is only rewritten when its bytes change and stale ones are removed, so `mkdocs serve`
(which watches docs/) does not rebuild in a loop. Nothing here is committed: recordings/ and the
pages are the truth.
"""

from __future__ import annotations

import argparse
import functools
import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from tools.files import write_bytes_atomic
from tools.languages import twin
from tools.profiles import CPU
from tools.programs import Program, report_errors, scan_programs
from tools.recordings import PROFILES, RecordingState, figure_path, program_states, recording_json
from tools.scripts import render_script
from tools.site.cache import cached_text
from tools.site.notebooks import LANGUAGES, NOTEBOOKS, build_notebook

__all__ = ["GENERATED", "HELP", "add_arguments", "expected_site_files", "run", "write_site_files"]

GENERATED = "docs/assets/generated"
HELP = "write the files the site serves beside the pages (figures, downloads, notebook pages)"


def figure_src(profile: str, snippet_id: str, figure: str) -> str:
    """Path of a served figure inside docs/ (what pages link to)."""
    return f"assets/generated/figures/{profile}/{snippet_id}/{figure}"


def download_src(snippet_id: str, *, lang: str | None = None) -> str:
    """Path of a download inside docs/: the script (lang None) or the notebook of a language."""
    name = f"{snippet_id}.py" if lang is None else f"{snippet_id}.{lang}.ipynb"
    return f"assets/generated/downloads/{name}"


def expected_site_files(
    root: Path,
    programs: dict[str, Program] | None = None,
    states: Mapping[str, Sequence[RecordingState]] | None = None,
) -> dict[Path, bytes]:
    """Every generated file and its bytes; `states`: tools.recordings.program_states of these
    programs when the caller has them (the build computes them once)."""
    if programs is None:
        programs, _ = scan_programs(root, lang="zh")
    if states is None:
        states = program_states(root, programs)
    docs = root / "docs"
    files: dict[Path, bytes] = {}
    for snippet_id, program in programs.items():
        files[docs / download_src(snippet_id)] = render_script(program).encode("utf-8")
        by_profile = dict(zip(PROFILES, states[snippet_id], strict=True))
        figures: dict[str, list[bytes]] = {}
        for profile, state in by_profile.items():
            if not state.usable or state.recording is None:
                continue
            for cell in state.recording.cells:
                for figure in cell.figures:
                    data = figure_path(root, snippet_id, profile, figure).read_bytes()
                    files[docs / figure_src(profile, snippet_id, figure)] = data
                    figures.setdefault(profile, []).append(data)
        for lang in LANGUAGES:
            cpu = by_profile[CPU.name]
            download = _notebook(root, program, lang=lang, page=False, state=cpu,
                                 figures=figures.get(CPU.name, []))
            if download is None:
                continue
            files[docs / download_src(snippet_id, lang=lang)] = download.encode("utf-8")
            page = _notebook(root, program, lang=lang, page=True, state=cpu,
                             figures=figures.get(CPU.name, []))
            assert page is not None
            files[docs / lang / NOTEBOOKS / f"{snippet_id}.ipynb"] = page.encode("utf-8")
    return files


# What a notebook's text depends on besides its page, recording and figures: the code that
# makes it (these modules' source) and the libraries it renders prose and writes JSON with.
_NOTEBOOK_CODE = ("tools.site.notebooks", "tools.site.render", "tools.markdown", "tools.programs",
                  "tools.profiles", "tools.languages")
_NOTEBOOK_DISTRIBUTIONS = ("markdown", "pymdown-extensions", "pygments", "nbformat")


@functools.lru_cache(maxsize=1)
def _notebook_code() -> tuple[bytes, ...]:
    return tuple(Path(importlib.import_module(name).__file__ or "").read_bytes()
                 for name in _NOTEBOOK_CODE)


def _notebook(root: Path, program: Program, *, lang: str, page: bool, state: RecordingState,
              figures: list[bytes]) -> str | None:
    """build_notebook through the build cache (tools.site.cache): rendering a notebook's prose
    with the site's Markdown extensions and validating it costs ~50 ms, four times a program
    per build, for the same text until its page, recording or figures change."""
    source = root / twin(program.page, lang)
    if not source.is_file():
        return None
    recording = state.recording if state.usable else None
    parts = [program.id, program.page, lang, str(page), source.read_bytes(),
             recording_json(recording) if recording else "", *figures, *_notebook_code()]
    text = cached_text(root, "notebook", parts,
                       lambda: build_notebook(root, program, lang=lang, page=page, state=state) or "",
                       distributions=_NOTEBOOK_DISTRIBUTIONS)
    return text or None


def _generated_now(root: Path) -> list[Path]:
    found = [p for p in (root / GENERATED).rglob("*") if p.is_file()] \
        if (root / GENERATED).is_dir() else []
    for lang in LANGUAGES:
        folder = root / "docs" / lang / NOTEBOOKS
        found += sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    return found


def _write_if_changed(path: Path, data: bytes) -> bool:
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_bytes_atomic(path, data)
    return True


def write_site_files(
    root: Path,
    programs: dict[str, Program] | None = None,
    states: Mapping[str, Sequence[RecordingState]] | None = None,
) -> tuple[int, int, int]:
    """Bring the generated files in line; (written, unchanged, removed)."""
    expected = expected_site_files(root, programs, states)
    written = sum(_write_if_changed(path, data) for path, data in expected.items())
    removed = 0
    for path in _generated_now(root):
        if path not in expected:
            path.unlink()
            removed += 1
    return written, len(expected) - written, removed


class ProgramInputs:
    """Has anything that programs, recordings or the report depend on changed since last asked?

    `mkdocs serve` rebuilds on every save. Regenerating the site files and re-reading every
    recording then costs about a second, for nothing when the save was a prose edit on a page
    without executable fences. Pages are only re-read when their size or mtime changed.
    """

    MARKERS = ("exec=", "<!-- snippet-report -->")

    def __init__(self) -> None:
        self._pages: dict[Path, tuple[int, int, bool]] = {}
        self._recordings: tuple = ()

    def changed(self, root: Path) -> bool:
        changed = not self._pages
        pages: dict[Path, tuple[int, int, bool]] = {}
        for lang in LANGUAGES:
            folder = root / "docs" / lang
            for path in folder.rglob("*.md") if folder.is_dir() else []:
                info = path.stat()
                previous = self._pages.get(path)
                if previous and previous[:2] == (info.st_mtime_ns, info.st_size):
                    pages[path] = previous
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
                relevant = any(marker in text for marker in self.MARKERS)
                pages[path] = (info.st_mtime_ns, info.st_size, relevant)
                changed = changed or relevant or bool(previous and previous[2])
        changed = changed or any(value[2] for path, value in self._pages.items() if path not in pages)
        folder = root / "recordings"
        recordings = tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                                  for p in folder.rglob("*") if p.is_file())) \
            if folder.is_dir() else ()
        changed = changed or recordings != self._recordings
        self._pages, self._recordings = pages, recordings
        return changed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")


def run(args: argparse.Namespace) -> int:
    programs, errors = scan_programs(args.root, lang="zh")
    if report_errors(errors, "site-files: {n} problem(s) in the pages; nothing was written"):
        return 1
    written, unchanged, removed = write_site_files(args.root, programs)
    if not args.quiet:
        print(f"site files: {written} written, {unchanged} unchanged, {removed} removed")
    return 0
