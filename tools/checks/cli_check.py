"""python -m tools check: is everything derived from the Markdown up to date?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.programs import Program, scan_all
from tools.recordings import (
    ERROR,
    MISSING,
    NOTE,
    PROFILES,
    WARNING,
    RecordingState,
    consequence,
    program_states,
    recordings_dir,
    repair_command,
)
from tools.scripts import script_problems

HELP = (
    "fail (one line per problem, file:line) if snippets/ or a cpu recording is stale; "
    "environment drift is a note"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-recordings", action="store_true", help="check the pages and snippets/ only, not the recordings"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print the state of every recording (a table)"
    )


def recording_problems(
    root: Path, programs: dict[str, Program], *, pages_ok: bool = True
) -> tuple[list[str], list[str], list[str], dict[str, list[RecordingState]]]:
    """(problems, warnings, notes, states), as `consequence` decides (tools.recordings): a
    required profile's (cpu) unusable recording is a problem; an optional one's (cuda) broken
    recording a problem, stale one a warning (not shown), missing one nothing.
    With page errors (pages_ok False) a recording whose fence was not read is not reported: its
    fence may only be unreadable for now, and the recording is still good."""
    problems, warnings, notes = [], [], []
    table = program_states(root, programs)
    for snippet_id, per_profile in table.items():
        where = programs[snippet_id].where
        for state in per_profile:
            fix = f"run `{repair_command(snippet_id, state.profile)}`"
            effect = consequence(state)
            if effect == NOTE:
                notes.append(
                    f'{where}: {state.profile} recording of "{snippet_id}" was '
                    f"{state.reason}; it is still shown (its provenance says so). "
                    f"To re-record: `python -m tools run --env-drift`"
                )
            elif effect == ERROR:
                problems.append(
                    f'{where}: {state.profile} recording of "{snippet_id}" is '
                    f"{state.state} ({state.reason}); {fix}"
                )
            elif effect == WARNING:
                warnings.append(
                    f'{where}: {state.profile} recording of "{snippet_id}" is '
                    f"{state.state} ({state.reason}) and will not be shown; re-record "
                    f"it on a GPU with `{repair_command(snippet_id, state.profile)}`"
                    " (it is kept until then)"
                )
    for profile in PROFILES:
        folder = recordings_dir(root, profile)
        for path in sorted(folder.glob("*.json")) if folder.is_dir() and pages_ok else []:
            if path.stem not in programs:
                warnings.append(
                    f'{path.relative_to(root)}:1: no fence has id "{path.stem}", so '
                    "this recording is not shown; if a fence's id was changed by "
                    "mistake, change it back; if the snippet is gone for good, "
                    f"`git rm -r {path.relative_to(root)}"
                    + (f" {path.with_suffix('').relative_to(root)}" if path.with_suffix("").is_dir() else "")
                    + "`"
                )
    return problems, warnings, notes, table


def format_table(table: dict[str, list[RecordingState]]) -> str:
    width = max((len(snippet_id) for snippet_id in table), default=7)
    lines = [f"{'snippet':<{width}}  " + "  ".join(f"{profile:<13}" for profile in PROFILES)]
    for snippet_id, per_profile in table.items():
        lines.append(f"{snippet_id:<{width}}  " + "  ".join(f"{s.state:<13}" for s in per_profile))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    programs, errors = scan_all(args.root)
    notes: list[str] = []
    problems = [str(error) for error in errors] + script_problems(args.root, programs, notes=notes)
    warnings: list[str] = []
    checked = 0
    if not args.no_recordings:
        more, warnings, drift, table = recording_problems(args.root, programs, pages_ok=not errors)
        problems += more
        notes += drift
        checked = sum(1 for row in table.values() for s in row if s.state != MISSING)
        if args.verbose:
            print(format_table(table))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in problems:
        print(problem)
    if problems:
        print(f"check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    drifted = sum(1 for note in notes if "To re-record" in note)
    drift = f", {drifted} with environment drift (shown, see notes)" if drifted else ""
    print(f"{len(programs)} snippets, {checked} recordings checked, all usable{drift}")
    return 0
