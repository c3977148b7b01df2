"""python -m tools check: is everything derived from the Markdown up to date?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.cli_extract import script_problems
from tools.notebooks import notebook_problems
from tools.recording import PROFILES, RecordingError, freshness, load_recording, recordings_dir
from tools.snippets import Program, scan_all

HELP = "fail (one line per problem, file:line) if snippets/, a cpu recording or a notebook is stale"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-recordings", action="store_true",
                        help="check the pages and snippets/ only, not the recordings")


def recording_problems(root: Path, programs: dict[str, Program]) -> tuple[list[str], list[str], int]:
    """(problems, warnings, recordings checked). A missing or stale cpu recording is a problem;
    a stale cuda recording or a recording without a fence is a warning."""
    problems, warnings, checked = [], [], 0
    for program in programs.values():
        where = f"{program.page}:{program.cells[0].line - 1}"
        for profile in PROFILES:
            try:
                recording = load_recording(root, program.id, profile)
            except RecordingError as error:
                problems.append(str(error))
                continue
            if recording is None:
                if profile == "cpu":
                    problems.append(f'{where}: snippet "{program.id}" has no cpu recording; run '
                                    f"`python -m tools run {program.id}`")
                continue
            checked += 1
            fresh, reason = freshness(root, program, recording, check_env=True)
            if fresh:
                continue
            if profile == "cpu":
                problems.append(f'{where}: cpu recording of "{program.id}" is stale ({reason}); '
                                f"run `python -m tools run {program.id}`")
            else:
                warnings.append(f'{where}: cuda recording of "{program.id}" is stale ({reason}) '
                                "and will not be shown; re-run it on a GPU with "
                                f"`python -m tools run {program.id} --profile cuda`")
    for profile in PROFILES:
        folder = recordings_dir(root, profile)
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            if path.stem not in programs:
                warnings.append(f"{path.relative_to(root)}:1: no fence has id \"{path.stem}\"; "
                                "delete this recording (and its figure folder)")
    return problems, warnings, checked


def run(args: argparse.Namespace) -> int:
    programs, errors = scan_all(args.root)
    problems = [str(error) for error in errors] + script_problems(args.root, programs)
    warnings: list[str] = []
    checked = 0
    if not args.no_recordings:
        more, warnings, checked = recording_problems(args.root, programs)
        problems += more
        if not problems:  # notebooks are derived from fresh recordings; judge them only then
            problems += notebook_problems(args.root)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in problems:
        print(problem)
    if problems:
        print(f"check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{len(programs)} snippets, {checked} recordings checked, all fresh")
    return 0
