"""python -m tools run [IDS…]: execute snippets whose recording is missing, stale or broken."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools import profiles
from tools.execution.runner import RunResult, detect_profile, run_programs
from tools.programs import report_errors, scan_all
from tools.recordings import (
    ENV_DRIFT,
    FRESH,
    PROFILES,
    RECORDINGS_DIR,
    RunLockedError,
    recording_lock,
    recording_state,
)
from tools.scripts import extract_scripts

HELP = "run snippets (all, or the given ids) and record their outputs; fresh ones are skipped"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID", help="snippet ids (default: all)")
    parser.add_argument("--force", action="store_true", help="run even if the recording is fresh")
    parser.add_argument(
        "--env-drift",
        action="store_true",
        help="also re-record recordings made with other versions or another device",
    )
    parser.add_argument(
        "--profile", choices=PROFILES, help="device profile (default: cuda if torch sees a GPU, else cpu)"
    )
    parser.add_argument(
        "--timeout", type=float, help='seconds per snippet (default: the fence\'s timeout="…", else 120)'
    )
    parser.add_argument("--threads", type=int, default=2, help="CPU threads per snippet (default 2)")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="snippets run in parallel")
    parser.add_argument("--quiet", "-q", action="store_true", help="no per-cell progress lines")


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _report(result: RunResult) -> None:
    if result.ok:
        print(f"ok   {result.id} ({result.duration_s:.1f} s)", flush=True)
    else:
        print(f"FAIL {result.message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    programs, errors = scan_all(args.root)
    if report_errors(errors, "run: {n} problem(s) in the pages; nothing was run"):
        return 1
    unknown = [snippet_id for snippet_id in args.ids if snippet_id not in programs]
    if unknown:
        print(
            f"error: unknown snippet id(s) {', '.join(unknown)}; known ids: "
            f"{', '.join(programs) or '(none)'}",
            file=sys.stderr,
        )
        return 2
    detected = detect_profile()
    if args.profile and args.profile != detected and profiles.get(args.profile) is not profiles.CPU:
        print(
            f"error: --profile {args.profile} needs its device ({profiles.get(args.profile).label}, "
            f'torch device "{profiles.get(args.profile).torch_device}"), which torch does not see '
            "here; drop --profile to record the cpu profile",
            file=sys.stderr,
        )
        return 2
    profile = args.profile or detected
    extract_scripts(args.root, programs)  # the scripts we run are those of the current pages
    selected = [programs[snippet_id] for snippet_id in (args.ids or programs)]
    rerun = {FRESH, ENV_DRIFT} if args.force else ({ENV_DRIFT} if args.env_drift else set())
    todo = []
    for program in selected:
        state = recording_state(args.root, program, program.id, profile)
        if state.state not in (FRESH, ENV_DRIFT) or state.state in rerun:
            todo.append(program)
    print(
        f"{len(todo)} of {len(selected)} snippets need a run; running {len(todo)} "
        f"(profile {profile}, {args.threads} threads, {args.jobs} jobs)",
        flush=True,
    )
    if not todo:
        return 0
    try:
        with recording_lock(args.root, profile):
            results = run_programs(
                args.root,
                todo,
                jobs=args.jobs,
                on_done=_report,
                profile=profile,
                threads=args.threads,
                timeout=args.timeout,
                progress=None if args.quiet else _progress,
            )
    except RunLockedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # e.g. recordings/cpu is a file, a read-only or full disk
        where = (
            Path(error.filename).relative_to(args.root)
            if error.filename and Path(error.filename).is_relative_to(args.root)
            else error.filename
        )
        print(
            f"error: cannot record: {where or '?'}: {error.strerror or error}; "
            f"{RECORDINGS_DIR}/{profile}/ must be a writable folder; nothing was recorded",
            file=sys.stderr,
        )
        return 1
    failed = [result.id for result in results if not result.ok]
    if failed:
        print(
            f"{len(failed)} of {len(todo)} failed: {', '.join(failed)}; their previous recordings are kept",
            file=sys.stderr,
        )
        return 1
    return 0
