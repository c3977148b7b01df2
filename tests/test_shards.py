"""CI shards of the snippet re-executions: together they select every snippet exactly once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import select_shard
from tools.programs import collect_programs

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("shards", [1, 2, 3, 5, 8, 13])
def test_shards_partition_the_snippets(shards: int) -> None:
    ids = sorted(collect_programs(ROOT)) + [f"extra-{n}" for n in range(7)]
    chosen = [select_shard(ids, shard, shards) for shard in range(1, shards + 1)]
    assert sorted(i for shard in chosen for i in shard) == sorted(ids)  # each exactly once
    sizes = [len(shard) for shard in chosen]
    assert max(sizes) - min(sizes) <= 1


NBVAL = "tests/test_notebooks.py::test_download_notebook_passes_nbval_in_a_fresh_kernel"


def _collected(*args: str) -> dict[str, set[str]]:
    """Snippet ids collected per test function: the reproductions and the notebook runs."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_execute_snippets.py",
            NBVAL,
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: none selected
    found: dict[str, set[str]] = {"reproduce": set(), "nbval": set()}
    for line in done.stdout.splitlines():
        if "[" in line:
            kind = "nbval" if line.startswith(NBVAL) else "reproduce"
            found[kind].add(line.split("[", 1)[1].rstrip("]"))
    return found


def test_the_pytest_option_selects_each_snippet_once() -> None:
    """Every snippet's re-execution in exactly one shard, and the nbval run of its notebook
    (tests/test_notebooks.py, real snippets too: the snippets layer) in that same shard."""
    everything = _collected()
    assert everything["reproduce"] == set(collect_programs(ROOT)) and everything["nbval"]
    shards = [_collected("--snippet-shard", f"{shard}/3") for shard in (1, 2, 3)]
    for kind in ("reproduce", "nbval"):
        assert sorted(i for shard in shards for i in shard[kind]) == sorted(everything[kind])
    assert all(shard["nbval"] <= shard["reproduce"] for shard in shards)
    assert _collected("-m", "snippets") == everything
    assert _collected("-m", "unit or minisite") == {"reproduce": set(), "nbval": set()}


# ---------------------------------------------------------------------------------------------
# `--dist loadgroup`: the modules that share an expensive fixture run on one worker


def test_group_of_a_node_id() -> None:
    from tests.conftest import xdist_group_of

    assert xdist_group_of("tests/test_embed_site.py::test_x[zh]") == "test_embed_site.py"
    assert xdist_group_of("tests/test_cli.py::test_help") is None
    assert xdist_group_of("tests/test_cli.py::test_help@browser") == "browser"
    assert xdist_group_of("tests/test_cli.py::test_q[a@b]") is None  # "@" of a parameter


def test_a_grouped_module_runs_on_one_worker() -> None:
    """Two workers, two modules: every test of the grouped one reports the same worker (before
    the scheduler in tests/conftest.py, they were spread over gw0 and gw1)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "2",
            "--dist",
            "loadgroup",
            "-v",
            "-p",
            "no:cacheprovider",
            "tests/test_examples_data.py",
            "tests/test_cli.py",
            "-k",
            "checksums or line_counts or help",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    workers = {
        line.split("]", 1)[0].lstrip("[")
        for line in done.stdout.splitlines()
        if line.startswith("[gw") and "test_examples_data.py::" in line
    }
    assert len(workers) == 1, done.stdout
