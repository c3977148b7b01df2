"""Execute every snippet of docs/zh/ and check that it reproduces its committed recording.

One test per snippet id (`pytest -k gpt2-quickstart` runs one). Always executes, through the same
runner as `python -m tools run` (so under the profile's pinned numerics), without writing
anything. Each cell's masked output and each figure's pixels are compared with
recordings/cpu/<id>.json (tools.checks.reproduce). When the numeric environment (torch,
transformers, pinned setting: tools.profiles) is the recording's, which it is on any x86-64 CPU
with AVX2 after `make setup`, the comparison is exact and any difference fails. Elsewhere text
must still match, numbers within the profile's stated tolerance; numbers beyond it are a warning.
Works under `pytest -n auto`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from tools import profiles
from tools.checks.reproduce import EnvironmentDriftWarning, compare_recordings, same_environment
from tools.execution.runner import run_program
from tools.programs import Program, SnippetError, collect_programs
from tools.recordings import RecordingError, load_recording, repair_command

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
        pytest.fail(f"{program.where}: {error}; run `{repair_command(program.id, 'cpu')}`", pytrace=False)
    result = run_program(root, program, commit="pytest", record=False)
    if not result.ok:
        pytest.fail(result.message, pytrace=False)
    if recorded is None:
        pytest.fail(
            f"{program.where}: no cpu recording to compare with; run `{repair_command(program.id, 'cpu')}`",
            pytrace=False,
        )
    profile = profiles.CPU
    same = same_environment(recorded, result.recording)
    tolerance = profile.same_numerics if same else profile.other_numerics
    volatile = frozenset(index for index, cell in enumerate(program.cells, 1) if cell.volatile)
    differences = compare_recordings(
        root, recorded, result.recording, result.figures or {}, tolerance=tolerance, volatile=volatile
    )
    if not differences:
        return
    report = "\n".join(str(difference) for difference in differences)
    command = repair_command(program.id, profile.name)
    if same or any(difference.text for difference in differences):
        why = (
            "same numeric environment: the comparison is exact"
            if same
            else "text outside numbers differs, which no numeric environment explains"
        )
        pytest.fail(
            f"{program.id} does not reproduce its recording ({why}):\n{report}\n"
            f"If the new output is right, re-record it with `{command}` and commit "
            "recordings/.",
            pytrace=False,
        )
    warnings.warn(
        stacklevel=2,
        message=EnvironmentDriftWarning(
            f"{program.id}: numbers differ beyond the {profile.name} profile's tolerance; the "
            "recording was made in another "
            f"numeric environment ({recorded.env} vs {result.recording.env}):\n{report}"
        ),
    )


# Tests are only defined when there is something to run: no snippets, no items.
if isinstance(PROGRAMS, SnippetError):

    def test_pages_parse() -> None:
        pytest.fail(f"cannot collect snippets: {PROGRAMS}", pytrace=False)

elif PROGRAMS:

    @pytest.mark.slow
    @pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.id)
    def test_snippet_reproduces_its_recording(program: Program) -> None:
        check_reproduces(ROOT, program)
