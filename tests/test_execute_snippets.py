"""Execute every snippet of docs/zh/ and check that it reproduces its committed recording.

One test per snippet id (`pytest -k gpt2-quickstart` runs one). Always executes, through the same
runner as `python -m tools run`, without writing anything. Each cell's masked output and each
figure's pixels are compared with recordings/cpu/<id>.json (tools.checks.reproduce): a difference fails
when this machine's environment (Python, torch, transformers, CPU) is the recording's, and is a
warning otherwise, since other versions may print other last digits. Works under `pytest -n auto`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from tools.execution.runner import run_program
from tools.programs import Program, SnippetError, collect_programs
from tools.recordings import RecordingError, load_recording, repair_command
from tools.checks.reproduce import EnvironmentDriftWarning, compare_recordings, same_environment

ROOT = Path(__file__).resolve().parent.parent


def _programs() -> list[Program] | SnippetError:
    try:
        return list(collect_programs(ROOT).values())
    except SnippetError as error:
        return error


PROGRAMS = _programs()


def check_reproduces(root: Path, program: Program) -> None:
    """Run `program` and compare with its cpu recording; pytest.fail or warn on differences."""
    try:
        recorded = load_recording(root, program.id, "cpu")
    except RecordingError as error:
        pytest.fail(f"{program.where}: {error}; run `{repair_command(program.id, 'cpu')}`",
                    pytrace=False)
    result = run_program(root, program, commit="pytest", record=False)
    if not result.ok:
        pytest.fail(result.message, pytrace=False)
    if recorded is None:
        pytest.fail(f"{program.where}: no cpu recording to compare with; run "
                    f"`{repair_command(program.id, 'cpu')}`", pytrace=False)
    differences = compare_recordings(root, recorded, result.recording, result.figures or {})
    if not differences:
        return
    report = "\n".join(str(difference) for difference in differences)
    command = repair_command(program.id, "cpu")
    if same_environment(recorded, result.recording):
        pytest.fail(f"{program.id} does not reproduce its recording (same environment):\n{report}\n"
                    f"If the new output is right, re-record it with `{command}` and commit "
                    "recordings/.", pytrace=False)
    warnings.warn(EnvironmentDriftWarning(
        f"{program.id}: output differs from the recording, which was made in another "
        f"environment ({recorded['env']} vs {result.recording['env']}):\n{report}"))


# Tests are only defined when there is something to run: no snippets, no items.
if isinstance(PROGRAMS, SnippetError):

    def test_pages_parse() -> None:
        pytest.fail(f"cannot collect snippets: {PROGRAMS}", pytrace=False)

elif PROGRAMS:

    @pytest.mark.slow
    @pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.id)
    def test_snippet_reproduces_its_recording(program: Program) -> None:
        check_reproduces(ROOT, program)
