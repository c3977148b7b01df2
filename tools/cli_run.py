"""python -m tools run [IDS…]: execute snippets whose recording is missing or stale."""

from __future__ import annotations

import argparse
import sys

from tools.cli_extract import extract_scripts
from tools.notebooks import write_notebooks
from tools.recording import PROFILES, RecordingError, freshness, load_recording, recordings_dir
from tools.runner import RunResult, detect_profile, remove_leftovers, run_programs
from tools.snippets import scan_programs

HELP = "run snippets (all, or the given ids) and record their outputs; fresh ones are skipped"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID", help="snippet ids (default: all)")
    parser.add_argument("--force", action="store_true", help="run even if the recording is fresh")
    parser.add_argument("--profile", choices=PROFILES,
                        help="device profile (default: cuda if torch sees a GPU, else cpu)")
    parser.add_argument("--timeout", type=float, help="seconds per snippet (default: the "
                        'fence\'s timeout="…", else 120)')
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
    programs, errors = scan_programs(args.root, lang="zh")
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        return 1
    unknown = [snippet_id for snippet_id in args.ids if snippet_id not in programs]
    if unknown:
        print(f"error: unknown snippet id(s) {', '.join(unknown)}; known ids: "
              f"{', '.join(programs) or '(none)'}", file=sys.stderr)
        return 2
    extract_scripts(args.root, programs)  # the scripts we run are those of the current pages
    detected = detect_profile()
    if args.profile == "cuda" and detected != "cuda":
        print("error: --profile cuda needs a GPU that torch can see (torch.cuda.is_available() "
              "is False here); drop --profile to record the cpu profile", file=sys.stderr)
        return 2
    profile = args.profile or detected
    selected = [programs[snippet_id] for snippet_id in (args.ids or programs)]
    todo = []
    for program in selected:
        if args.force:
            todo.append(program)
            continue
        try:
            recording = load_recording(args.root, program.id, profile)
        except RecordingError as error:
            print(f"warning: {error}", file=sys.stderr)
            recording = None
        if recording is None or not freshness(args.root, program, recording, check_env=True)[0]:
            todo.append(program)
    print(f"{len(todo)} of {len(selected)} snippets are outdated; running {len(todo)} "
          f"(profile {profile}, {args.threads} threads, {args.jobs} jobs)", flush=True)
    for program in todo:
        remove_leftovers(recordings_dir(args.root, profile), program.id)
    results = run_programs(args.root, todo, jobs=args.jobs, on_done=_report, profile=profile,
                           threads=args.threads, timeout=args.timeout,
                           progress=None if args.quiet else _progress)
    failed = [result.id for result in results if not result.ok]
    if len(failed) < len(results):
        # Notebooks carry the recorded outputs: keep them in step with the recordings.
        written, unchanged, removed = write_notebooks(args.root)
        print(f"notebooks: {written} written, {unchanged} unchanged, {removed} removed", flush=True)
    if failed:
        print(f"{len(failed)} of {len(todo)} failed: {', '.join(failed)}; their previous "
              "recordings are kept", file=sys.stderr)
        return 1
    return 0
