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


def _collected(*args: str, module: str = "tests/test_execute_snippets.py") -> set[str]:
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                           "-p", "no:cacheprovider", module, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: none selected
    return {line.split("[", 1)[1].rstrip("]") for line in done.stdout.splitlines() if "[" in line}


def test_notebook_executions_are_sharded_with_their_snippets() -> None:
    """nbval runs real snippets too (tests/test_notebooks.py): in the snippets layer, each in
    exactly one shard, the shard of the snippet's own reproduction."""
    nbval = "tests/test_notebooks.py::test_download_notebook_passes_nbval_in_a_fresh_kernel"
    everything = _collected("-m", "snippets", module=nbval)
    assert everything and not _collected("-m", "unit or minisite", module=nbval)
    shards = [_collected("--snippet-shard", f"{shard}/3", module=nbval) for shard in (1, 2, 3)]
    assert sorted(i for shard in shards for i in shard) == sorted(everything)
    for number, shard in enumerate(shards, start=1):
        assert shard <= _collected("--snippet-shard", f"{number}/3")


def test_the_pytest_option_selects_each_snippet_once() -> None:
    everything = _collected()
    shards = [_collected("--snippet-shard", f"{shard}/3") for shard in (1, 2, 3)]
    assert everything == set(collect_programs(ROOT))
    assert sorted(i for shard in shards for i in shard) == sorted(everything)


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
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v",
                           "-p", "no:cacheprovider", "tests/test_examples_data.py",
                           "tests/test_cli.py", "-k", "checksums or line_counts or help"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    workers = {line.split("]", 1)[0].lstrip("[") for line in done.stdout.splitlines()
               if line.startswith("[gw") and "test_examples_data.py::" in line}
    assert len(workers) == 1, done.stdout
