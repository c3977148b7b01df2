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


def _collected(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                           "-p", "no:cacheprovider", "tests/test_execute_snippets.py", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return {line.split("[", 1)[1].rstrip("]") for line in done.stdout.splitlines() if "[" in line}


def test_the_pytest_option_selects_each_snippet_once() -> None:
    everything = _collected()
    shards = [_collected("--snippet-shard", f"{shard}/3") for shard in (1, 2, 3)]
    assert everything == set(collect_programs(ROOT))
    assert sorted(i for shard in shards for i in shard) == sorted(everything)
