"""`python -m tools` without the virtualenv's packages: help works, a command says what to do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bare(*args: str) -> subprocess.CompletedProcess[str]:
    """This interpreter without site-packages (-S), as a reader's plain python3 would be."""
    return subprocess.run(
        [sys.executable, "-S", "-m", "tools", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_lists_every_command_without_third_party_packages() -> None:
    done = _bare("--help")
    assert done.returncode == 0, done.stderr
    for command in ("extract", "check", "run", "site-files", "build-zensical", "parity"):
        assert command in done.stdout


def test_a_command_that_needs_the_virtualenv_says_how_to_get_it() -> None:
    done = _bare("site-files")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "run `make setup` once, then `.venv/bin/python -m tools …`" in done.stderr
