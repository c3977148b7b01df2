"""The GitHub Actions workflows are valid against GitHub's workflow schema, checked offline with
check-jsonschema's vendored copy of it (a typo in a key otherwise shows only on GitHub)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


def test_there_is_a_workflow() -> None:
    assert WORKFLOWS, "no workflow under .github/workflows/"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_matches_github_schema(workflow: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         str(workflow)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, f"{workflow.relative_to(ROOT)}:\n{done.stdout}{done.stderr}"
