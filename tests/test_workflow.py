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
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(workflow),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{workflow.relative_to(ROOT)}:\n{done.stdout}{done.stderr}"


# The first major of each action that runs on Node 24 (Node 20 left GitHub's runners in 2026).
NODE24_MAJOR = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/setup-node": 5,
    "actions/cache": 5,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 4,
    "actions/deploy-pages": 5,
    "actions/upload-artifact": 6,
}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_actions_and_node_are_current(workflow: Path) -> None:
    import re

    text = workflow.read_text(encoding="utf-8")
    old = [
        f"{action}@v{major}"
        for action, major in re.findall(r"uses:\s*([\w./-]+)@v(\d+)", text)
        if int(major) < NODE24_MAJOR.get(action, 0)
    ]
    assert not old, f"{workflow.name}: actions on a retired Node runtime: {old}"
    nodes = re.findall(r"node-version:\s*\"?(\d+)", text)
    assert all(int(v) >= 22 for v in nodes), f"{workflow.name}: node-version {nodes}"


def test_ci_tests_the_oldest_and_newest_supported_python() -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    pythons = workflow["jobs"]["test"]["strategy"]["matrix"]["python"]
    assert "3.11" in pythons and "3.13" in pythons, pythons
