"""Pinned CPU numerics: the runner gives the same bits whatever kernel ISA or MKL vendor dispatch
the caller's environment would choose, and a tampered recording fails on any machine.

The control rows prove the settings matter on this machine (unpinned, they change the bits), so
the pinned rows are a real test, not one that cannot fail.
"""

from __future__ import annotations

import platform
import re
from dataclasses import replace
from pathlib import Path

import pytest

from tests.test_execute_snippets import check_reproduces
from tools import profiles
from tools.bench_numerics import PROBE, build_mkl_shim, probe, unpinned_env
from tools.execution.runner import run_program
from tools.programs import collect_programs
from tools.recordings import figure_path, load_recording, recordings_dir, write_recording

pytestmark = pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64") or not profiles._x86_avx2(),
    reason="the cpu pin covers x86-64 CPUs with AVX2",
)

ROOT = Path(__file__).resolve().parent.parent


def _probe_repo(tmp_path: Path) -> Path:
    page = f'# 探针\n\n```python {{exec="probe"}}\n{PROBE}```\n'
    for lang in ("zh", "en"):
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "p.md").write_text(page, encoding="utf-8")
    return tmp_path


def _run_probe(root: Path) -> str:
    result = run_program(root, collect_programs(root)["probe"], record=False, commit="test")
    assert result.ok, result.message
    assert result.recording is not None
    return result.recording.cells[0].output.split()[0]


@pytest.mark.slow
def test_pinned_runner_gives_the_same_bits_under_other_kernel_paths(tmp_path, monkeypatch) -> None:
    root = _probe_repo(tmp_path / "repo")
    shim = build_mkl_shim(tmp_path)
    # Control: unpinned, the kernel ISA changes the bits on this machine.
    unpinned = {
        probe(unpinned_env(ATEN_CPU_CAPABILITY=isa), tmp_path).split()[0] for isa in ("default", "avx2")
    }
    assert len(unpinned) == 2, "ATen's kernel ISA no longer changes the probe's bits"
    plain = _run_probe(root)
    # The caller's environment asks for other kernels and MKL's non-Intel dispatch.
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "default")
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "SSE41")
    monkeypatch.setenv("MKL_CBWR", "AUTO")
    if shim is not None:
        monkeypatch.setenv("LD_PRELOAD", str(shim))
    assert _run_probe(root) == plain


def test_the_runner_records_the_pin(tmp_path) -> None:
    root = _probe_repo(tmp_path)
    (root / "docs/zh/p.md").write_text('# p\n\n```python {exec="probe"}\nprint(1)\n```\n', encoding="utf-8")
    (root / "docs/en/p.md").write_text('# p\n\n```python {exec="probe"}\nprint(1)\n```\n', encoding="utf-8")
    result = run_program(root, collect_programs(root)["probe"], record=False, commit="test")
    assert result.ok and result.recording is not None
    assert result.recording.env.numerics == profiles.CPU.numerics(2)
    pinned = result.recording.provenance.pinned_env
    assert {key: pinned[key] for key in profiles.CPU.pinned_env} == dict(profiles.CPU.pinned_env)


def _fastest_recorded_snippet() -> str:
    durations = {}
    for path in (ROOT / "recordings/cpu").glob("*.json"):
        recording = load_recording(ROOT, path.stem, "cpu")
        if recording and any(cell.output.strip() for cell in recording.cells):
            durations[path.stem] = recording.provenance.duration_s
    return min(durations, key=durations.__getitem__)


@pytest.mark.slow
@pytest.mark.parametrize("tamper", ["digit", "word"])
def test_a_tampered_recording_fails_on_any_machine(tmp_path, tamper) -> None:
    """The real fastest snippet, its recorded output edited by hand: the reproduction test fails
    (not a warning), here and on any CI runner with the pinned numerics."""
    import shutil

    snippet_id = _fastest_recorded_snippet()
    root = tmp_path / "repo"
    for folder in ("docs", "recordings", "data", "sources"):
        if (ROOT / folder).is_dir():
            shutil.copytree(
                ROOT / folder,
                root / folder,
                ignore=shutil.ignore_patterns("notebooks", "generated", "vendor"),
            )
    recording = load_recording(root, snippet_id, "cpu")
    cell = next(cell for cell in recording.cells if cell.output.strip())
    if tamper == "digit":
        output = re.sub(r"\d(?=\D*$)", lambda m: str((int(m[0]) + 1) % 10), cell.output, count=1)
    else:
        output = "tampered " + cell.output
    cells = tuple(replace(c, output=output) if c is cell else c for c in recording.cells)
    figures = {
        name: figure_path(root, snippet_id, "cpu", name).read_bytes() for c in cells for name in c.figures
    }
    write_recording(recordings_dir(root, "cpu"), snippet_id, replace(recording, cells=cells), figures=figures)
    program = collect_programs(root)[snippet_id]
    with pytest.raises(pytest.fail.Exception, match="does not reproduce its recording"):
        check_reproduces(root, program)
