"""Execute every snippet of docs/zh/ through the same runner as `python -m tools run`.

One test per snippet id (`pytest -k gpt2-finetune` runs one). Always executes (no cache) and
records into a temporary folder, so the committed recordings are never touched. Works under
`pytest -n auto`: each snippet is its own process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.runner import run_program
from tools.snippets import Program, SnippetError, collect_programs

ROOT = Path(__file__).resolve().parent.parent


def _programs() -> list[Program] | SnippetError:
    try:
        return list(collect_programs(ROOT).values())
    except SnippetError as error:
        return error


PROGRAMS = _programs()


# Tests are only defined when there is something to run: no snippets, no items.
if isinstance(PROGRAMS, SnippetError):

    def test_pages_parse() -> None:
        pytest.fail(f"cannot collect snippets: {PROGRAMS}", pytrace=False)

elif PROGRAMS:

    @pytest.mark.slow
    @pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.id)
    def test_snippet_runs(program: Program, tmp_path: Path) -> None:
        result = run_program(ROOT, program, out_dir=tmp_path, commit="pytest")
        if not result.ok:
            pytest.fail(result.message, pytrace=False)
