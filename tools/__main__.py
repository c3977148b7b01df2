"""python -m tools <command>: the snippet pipeline's command line.

To add a command, add one line to SUBCOMMANDS naming a module that defines
HELP (str), add_arguments(parser) and run(args) -> int (the exit status).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from tools.markdown import MarkdownError

SUBCOMMANDS: dict[str, str] = {
    "extract": "tools.scripts",
    "check": "tools.cli_check",
    "run": "tools.cli_run",
    "bench": "tools.bench",
    "bench-site": "tools.bench_site",
    "site-files": "tools.site.files",
    "build-zensical": "tools.site.zensical",
    "parity": "tools.parity",
    "codeblocks": "tools.fidelity",
    "diagrams": "tools.diagrams",
    "fidelity": "tools.cli_fidelity",
}
REPO_ROOT = Path(__file__).resolve().parent.parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sub = commands.add_parser(name, help=module.HELP, description=module.HELP)
        sub.add_argument("--root", type=Path, default=REPO_ROOT,
                         help="repository root (default: %(default)s)")
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser


def _outside_venv(error: ImportError) -> int:
    print(f"error: {error}. The tools need the project's virtualenv: run `make setup` once, then "
          "`.venv/bin/python -m tools …` (or `make check`, `make record`)", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
    except ImportError as error:
        return _outside_venv(error)
    args = parser.parse_args(argv)
    args.root = args.root.resolve()
    try:
        return int(args.handler(args))
    except MarkdownError as error:  # SnippetError too: "file:line: message"
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; previous recordings are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
