"""python -m tools bench: time extract, check, a cold (forced) run and a cached run of all snippets.

The cold run re-records every snippet (as `python -m tools run --force` does). Prints a
Markdown table for the project's closing notes; it is not a test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from tools import profiles

TOOLS_PARENT = str(Path(__file__).resolve().parent.parent)
HELP = "time extract, check, a cold run and a cached run of all snippets (re-records them)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", "-j", type=int, default=1, help="jobs for the runs")
    parser.add_argument("--profile", choices=profiles.PROFILE_NAMES, default=profiles.CPU.name)


def _timed(label: str, argv: list[str], root: str) -> tuple[str, float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tools", *argv, "--root", root],
        cwd=TOOLS_PARENT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode:
        print(f"{label}: exit {done.returncode}\n{done.stdout[-2000:]}{done.stderr[-2000:]}", file=sys.stderr)
    return label, elapsed, done.returncode


def run(args: argparse.Namespace) -> int:
    root = str(args.root)
    run_options = ["--profile", args.profile, "--jobs", str(args.jobs), "--quiet"]
    steps = [
        _timed("extract", ["extract", "--quiet"], root),
        _timed("check (pages + snippets/ only)", ["check", "--no-recordings"], root),
        _timed(f"cold run (--force, {args.jobs} jobs)", ["run", "--force", *run_options], root),
        _timed("cached run (nothing to do)", ["run", *run_options], root),
        _timed("check (with recordings)", ["check"], root),
    ]
    print("| step | seconds | exit |\n| --- | ---: | ---: |")
    for label, elapsed, code in steps:
        print(f"| {label} | {elapsed:.2f} | {code} |")
    return max(code for _, _, code in steps)
