"""python -m tools <command>: the snippet pipeline's command line.

To add a command, add one line to SUBCOMMANDS naming a module that defines
HELP (str), add_arguments(parser) and run(args) -> int (the exit status).
Only the chosen command's module is imported: `run` needs the standard library
alone (the GPU image has no MkDocs or nbformat), and `--help` works anywhere.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from tools.markdown import MarkdownError

SUBCOMMANDS: dict[str, str] = {
    "extract": "tools.scripts",
    "check": "tools.checks.cli_check",
    "run": "tools.execution.cli",
    "bench": "tools.bench",
    "bench-site": "tools.bench_site",
    "bench-scale": "tools.bench_scale",
    "site-files": "tools.site.files",
    "build-zensical": "tools.site.zensical",
    "parity": "tools.checks.parity",
    "codeblocks": "tools.checks.fidelity",
    "diagrams": "tools.site.diagrams",
    "fidelity": "tools.checks.cli_fidelity",
    "env": "tools.profiles",
    "bench-numerics": "tools.bench_numerics",
    "style": "tools.checks.style",
    "pdf": "tools.site.pdf",
}
# One line per command for `python -m tools --help` (without importing every module).
SUMMARIES: dict[str, str] = {
    "extract": "write snippets/<id>.py from the executable fences",
    "check": "fail if snippets/ or a recording is stale; -v prints every recording's state",
    "run": "run snippets whose recording is missing, stale or broken, and record them",
    "bench": "time extract, check, a cold and a cached run (re-records)",
    "bench-site": "time builds with/without the embedding, Zensical, save-to-served",
    "bench-scale": "time strict builds of the site and of an N-times copy of its programs",
    "site-files": "write the generated figures, downloads and notebook pages",
    "build-zensical": "build docs/ with Zensical into site-zensical/",
    "parity": "check that the zh and en editions have the same structure",
    "codeblocks": "list the fate of every code block of the sources (manifests: sources/code-blocks/)",
    "diagrams": "render the mermaid diagrams to SVG ahead of time",
    "fidelity": "check that docs/zh keeps every heading, line and word of its sources",
    "env": "print the pinned numeric environment of a profile (eval it to run a snippet by hand)",
    "bench-numerics": "which CPU settings change the bits, does the pin hold, and what it costs",
    "style": "check the edition style sheet and that the editors' text stays in editors' boxes",
    "pdf": "print one PDF per language of the whole edition from the built site",
}
REPO_ROOT = Path(__file__).resolve().parent.parent


def _chosen(argv: list[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; the modules of the command named in `argv` (all when None) are imported."""
    chosen = _chosen(argv) if argv is not None else None
    parser = argparse.ArgumentParser(prog="python -m tools", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in SUBCOMMANDS.items():
        if argv is not None and name != chosen:
            commands.add_parser(name, help=SUMMARIES.get(name, f"see python -m tools {name} --help"))
            continue
        module = importlib.import_module(module_name)
        sub = commands.add_parser(name, help=module.HELP, description=module.HELP)
        sub.add_argument(
            "--root", type=Path, default=REPO_ROOT, help="repository root (default: %(default)s)"
        )
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser


def _outside_venv(error: ImportError) -> int:
    print(
        f"error: {error}. The tools need the project's virtualenv: run `make setup` once, then "
        "`.venv/bin/python -m tools …` (or `make check`, `make record`)",
        file=sys.stderr,
    )
    return 2


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        parser = build_parser(argv)
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
