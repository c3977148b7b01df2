"""`python -m tools fidelity`: does docs/zh keep every heading, line and word of its sources?

Runs the rules of tools/fidelity.py over each source article (or the ones named) and prints one
`path:line: rule: message` per finding on stderr, then a summary; the exit status is 1 if anything
was found. tests/test_fidelity.py runs the same rules.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from tools.checks import fidelity

HELP = "check that docs/zh keeps every heading, line and Latin word of sources/*.txt (file:line per finding)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the subcommand (`python -m tools` adds --root)."""
    parser.add_argument(
        "articles",
        nargs="*",
        metavar="NNN",
        help=f"source article numbers (default: all of {', '.join(fidelity.ARTICLES)})",
    )
    parser.add_argument(
        "--no-closest",
        action="store_true",
        help="do not search the closest edition line for a missing source line (faster)",
    )


def run(args: argparse.Namespace) -> int:
    unknown = [number for number in args.articles if number not in fidelity.ARTICLES]
    if unknown:
        print(
            f"error: unknown article(s) {', '.join(unknown)}; known: {', '.join(fidelity.ARTICLES)}",
            file=sys.stderr,
        )
        return 2
    numbers = args.articles or list(fidelity.ARTICLES)
    counts: Counter[str] = Counter()
    try:
        for number in numbers:
            for finding in fidelity.check_article(args.root, number, closest=not args.no_closest):
                print(finding, file=sys.stderr)
                counts[finding.rule] += 1
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    detail = ", ".join(f"{rule} {counts[rule]}" for rule in ("heading", "text", "latin", "length"))
    print(f"fidelity: {len(numbers)} articles, {sum(counts.values())} findings ({detail})", file=sys.stderr)
    return 1 if counts else 0


def build_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line as `python -m tools fidelity` would."""
    parser = argparse.ArgumentParser(prog="python -m tools fidelity", description=HELP)
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: .)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    args.root = args.root.resolve()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_args(argv))


if __name__ == "__main__":
    sys.exit(main())
