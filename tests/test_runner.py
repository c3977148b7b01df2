"""tools.execution.runner + driver on fixture snippets: outputs, errors, timeouts, interruptions."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tools.execution.runner import RunResult, run_program, run_programs
from tools.programs import collect_programs
from tools.recordings import clean_output, load_recording
from tools.scripts import extract_scripts

RECORDINGS = "recordings/cpu"
OLD_RECORDING = '{"schema": 1, "id": "demo", "note": "previous good recording"}\n'


def fences(*cells: str, snippet_id: str = "demo", timeout: str = "", data: str = "") -> str:
    """A page with one fence per cell; the first fence is on line 3, its code on line 4."""
    parts = ["# 页面\n"]
    for number, code in enumerate(cells):
        extra = f' timeout="{timeout}"' if timeout and number == 0 else ""
        extra += f' data="{data}"' if data and number == 0 else ""
        parts.append(f'\n```python {{exec="{snippet_id}"{extra}}}\n{code.strip()}\n```\n')
    return "".join(parts)


def pages(*cells: str, **options) -> dict[str, str]:
    """The zh page and its en twin (the same program), for the commands that check both."""
    zh = fences(*cells, **options)
    return {"docs/zh/p.md": zh, "docs/en/p.md": zh.replace("# 页面", "# Page", 1)}


def run_page(make_repo, *cells: str, files: dict | None = None, **options) -> tuple[Path, RunResult]:
    root = make_repo(
        {
            "docs/zh/p.md": fences(
                *cells, timeout=options.pop("page_timeout", ""), data=options.pop("data", "")
            ),
            **(files or {}),
        }
    )
    programs = collect_programs(root)
    extract_scripts(root, programs)
    return root, run_program(root, programs["demo"], commit="test", **options)


def outputs(result: RunResult) -> list[str]:
    assert result.ok, result.message
    assert result.recording is not None
    return [cell.output for cell in result.recording.cells]


def test_cells_share_one_namespace_and_the_child_environment(make_repo, tmp_path) -> None:
    _, result = run_page(
        make_repo,
        "import os, random, sys\nx = random.random()",
        "print(__name__, sys.argv[0], x == random.Random(0).random(), os.getcwd() != ROOT,\n"
        "      os.path.isfile(sys.argv[0]), os.listdir('.'))\n"
        "print(*(os.environ[k] for k in ('PYTHONHASHSEED', 'MPLBACKEND', 'OMP_NUM_THREADS',"
        " 'HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE', 'TOKENIZERS_PARALLELISM')))".replace(
            "ROOT", repr(str(tmp_path))
        ),
        threads=3,
    )
    # The working directory is a scratch copy of the repository (outside it) with the script.
    assert outputs(result) == [
        "",
        "__main__ snippets/demo.py True True True ['snippets']\n0 Agg 3 1 1 false\n",
    ]
    assert result.recording.provenance.threads == 3


def test_output_is_captured_at_the_file_descriptor_level(make_repo) -> None:
    _, result = run_page(
        make_repo,
        """
import ctypes, logging, os, subprocess, sys, warnings
print("print")
os.write(1, b"fd 1\\n")
print("stderr", file=sys.stderr)
warnings.warn("careful")
logging.warning("logged")
subprocess.run(["echo", "child process"], check=True)
ctypes.CDLL(None).printf(b"C printf\\n")
""",
    )
    assert outputs(result) == [
        'print\nfd 1\nstderr\ndocs/zh/p.md:8: UserWarning: careful\n  warnings.warn("careful")\n'
        "WARNING:root:logged\nchild process\nC printf\n"
    ]


def test_progress_bars_and_ansi_are_cleaned(make_repo) -> None:
    _, result = run_page(
        make_repo,
        r"""
import sys
for i in range(0, 101, 50):
    sys.stderr.write(f"\rLoading weights: {i:3d}%|{'#' * (i // 10):10s}| {i}/100 [00:00<00:00, 9.1it/s]")
sys.stderr.write("\n")
print("\x1b[32mgreen\x1b[0m and <script>alert(1)</script> 中文")
""",
    )
    assert outputs(result) == ["green and <script>alert(1)</script> 中文\n"]


def test_driver_truncates_a_huge_output(make_repo) -> None:
    _, result = run_page(make_repo, 'print(("x" * 99 + "\\n") * 10_000, end="")')
    [output] = outputs(result)
    assert len(output) < 20_100
    assert "characters truncated …]\n" in output
    assert output.startswith("x" * 99 + "\n") and output.endswith("x" * 99 + "\n")


def test_figures_are_saved_per_cell(make_repo) -> None:
    root, result = run_page(
        make_repo,
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()",
        "fig, axes = plt.subplots(1, 2)\nplt.figure()\nplt.bar([1], [2])",
        "print('no figure here')",
    )
    assert outputs(result) == ["", "", "no figure here\n"]
    figures = [cell.figures for cell in result.recording.cells]
    pattern = [
        [r"cell1-fig1-[0-9a-f]{8}\.png"],
        [r"cell2-fig1-[0-9a-f]{8}\.png", r"cell2-fig2-[0-9a-f]{8}\.png"],
        [],
    ]
    assert [
        [bool(re.fullmatch(p, name)) for p, name in zip(ps, names, strict=True)]
        for ps, names in zip(pattern, figures, strict=True)
    ] == [[True], [True, True], []]
    for name in sum(figures, ()):
        assert (root / RECORDINGS / "demo" / name).read_bytes().startswith(b"\x89PNG")


def test_declared_data_files_are_copied_and_fingerprinted(make_repo) -> None:
    _, result = run_page(
        make_repo,
        "from pathlib import Path\n"
        "Path('build').mkdir(exist_ok=True)\n"
        "Path('build/cache.txt').write_text('cache')\n"
        "Path('own.txt').write_text('written first, then read')\n"
        "print(Path('sources/a.txt').read_text(), Path('own.txt').read_text(),"
        " Path('build/cache.txt').read_text(), open('sources/b.bin', 'rb').read())",
        files={"sources/a.txt": "A", "sources/b.bin": b"B", "sources/unused.txt": "U"},
        data="sources/a.txt sources/*.bin",
    )
    assert outputs(result) == ["A written first, then read cache b'B'\n"]
    assert sorted(result.recording.fingerprint.data) == ["sources/a.txt", "sources/b.bin"]


def test_failing_snippet_points_at_the_markdown_and_keeps_the_old_recording(make_repo) -> None:
    root = make_repo({f"{RECORDINGS}/demo.json": OLD_RECORDING})
    root, result = run_page(make_repo, "def ratio(a, b):\n    return a / b", "print('before')\nratio(1, 0)")
    assert not result.ok
    # The location is the innermost Markdown frame: where the error happened.
    assert result.message.startswith("demo failed at docs/zh/p.md:5 (cell 2): ZeroDivisionError\n")
    assert 'File "docs/zh/p.md", line 10, in <module>\n    ratio(1, 0)' in result.message
    assert 'File "docs/zh/p.md", line 5, in ratio\n    return a / b' in result.message
    assert "driver" not in result.message and "runpy" not in result.message
    assert result.message.endswith("--- last output of the cell ---\nbefore")
    assert (root / RECORDINGS / "demo.json").read_text() == OLD_RECORDING
    assert sorted(p.name for p in (root / RECORDINGS).iterdir()) == ["demo.json"]


def test_timeout_kills_the_whole_process_group(make_repo, tmp_path_factory) -> None:
    pid_file = tmp_path_factory.mktemp("outside-the-repository") / "grandchild.pid"
    start = time.monotonic()
    _, result = run_page(
        make_repo,
        "print('started')",
        f"import subprocess, time\np = subprocess.Popen(['sleep', '60'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\ntime.sleep(60)",
        page_timeout="2",
    )
    assert time.monotonic() - start < 10
    assert not result.ok
    assert result.message.startswith("demo timed out after 2 s (docs/zh/p.md:8, last cell started)")
    time.sleep(0.2)
    stat = Path(f"/proc/{pid_file.read_text()}/stat")
    assert not stat.exists() or stat.read_text().split(") ")[1][0] == "Z"  # gone or a zombie


def test_timeout_option_overrides_the_fence(make_repo) -> None:
    _, result = run_page(make_repo, "import time\ntime.sleep(30)", timeout=1)
    assert result.message.startswith("demo timed out after 1 s (docs/zh/p.md:4, last cell started)")


def test_killed_child_keeps_the_old_recording(make_repo) -> None:
    root = make_repo({f"{RECORDINGS}/demo.json": OLD_RECORDING})
    _, result = run_page(make_repo, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert result.message == (
        "demo was killed by signal 9 (SIGKILL) without a result (docs/zh/p.md:4, last cell started)"
    )
    assert (root / RECORDINGS / "demo.json").read_text() == OLD_RECORDING


def test_interrupted_run_keeps_the_old_recording(make_repo) -> None:
    root = make_repo(
        {
            **pages("print('working')\nimport time\ntime.sleep(60)"),
            f"{RECORDINGS}/demo.json": OLD_RECORDING,
            f"{RECORDINGS}/demo/cell1-fig1.png": b"old figure",
        }
    )
    # SIGINT as a terminal has it, even when the tests run as a background job (which starts
    # with SIGINT ignored, and a child keeps an ignored signal ignored)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tools", "run", "--force", "--root", str(root)],
        cwd=Path(__file__).parent.parent,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "cell 1/1 started" in line:
            break
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)  # what Ctrl-C does
    rest = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=10) == 130
    assert "interrupted; previous recordings are kept" in rest
    assert (root / RECORDINGS / "demo.json").read_text() == OLD_RECORDING
    assert (root / RECORDINGS / "demo/cell1-fig1.png").read_bytes() == b"old figure"
    assert sorted(p.name for p in (root / RECORDINGS).iterdir() if p.name != ".lock") == ["demo", "demo.json"]


def test_success_replaces_recording_and_figures(make_repo) -> None:
    root = make_repo(
        {f"{RECORDINGS}/demo.json": OLD_RECORDING, f"{RECORDINGS}/demo/cell9-fig9.png": b"stale figure"}
    )
    _, result = run_page(make_repo, "print('new')")
    assert outputs(result) == ["new\n"]
    assert load_recording(root, "demo", "cpu").cells[0].output == "new\n"
    assert sorted(p.name for p in (root / RECORDINGS).iterdir()) == ["demo.json"]


def test_cli_run_failure_exit_status_and_message(make_repo, tools_cli) -> None:
    root = make_repo(pages("x = 1", "raise ValueError('bad value')"))
    result = tools_cli(root, "run")
    assert result.code == 1
    assert "FAIL demo failed at docs/zh/p.md:8 (cell 2): ValueError" in result.err
    assert "ValueError: bad value" in result.err
    assert "1 of 1 failed: demo; their previous recordings are kept" in result.err


def test_jobs_run_in_parallel(make_repo) -> None:
    root = make_repo(
        {
            "docs/zh/a.md": fences("import time\ntime.sleep(2)", snippet_id="a"),
            "docs/zh/b.md": fences("import time\ntime.sleep(2)", snippet_id="b"),
        }
    )
    programs = list(collect_programs(root).values())
    start = time.monotonic()
    results = run_programs(root, programs, jobs=2, commit="test")
    assert [r.ok for r in results] == [True, True]
    assert time.monotonic() - start < 3.9  # one after the other: 4 s of sleep alone


def test_into_another_folder_leaves_recordings_alone(make_repo, tmp_path) -> None:
    out = tmp_path / "elsewhere"
    root, result = run_page(make_repo, "print(1)", out_dir=out)
    assert result.ok and (out / "demo.json").is_file()
    assert not (root / RECORDINGS).exists()


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("plain\n", "plain\n"),
        ("a\r\nb\r\n", "a\nb\n"),
        ("10%\r50%\r100%\n", "100%\n"),
        ("abc\rX\n", "Xbc\n"),
        ("Loading weights: 100%|██████████| 148/148 [00:00<00:00, 912.3it/s]\nok\n", "ok\n"),
        ("Map: 148it [00:00, 912.30it/s]\nok\n", "ok\n"),
        (" 45%|████▌     | 9/20 [00:01<00:02,  4.50it/s]\rdone\n", "done\n"),
        ("\x1b[1m\x1b[31mbold red\x1b[0m\n", "bold red\n"),
        ("50% of the data | is used\n", "50% of the data | is used\n"),
        ("<script>alert(1)</script>\n", "<script>alert(1)</script>\n"),
        ("bar\r   \r\nafter\n", "after\n"),
    ],
)
def test_clean_output(raw: str, cleaned: str) -> None:
    assert clean_output(raw) == cleaned


def test_clean_output_truncates_with_a_marker() -> None:
    text = "".join(f"line {i}\n" for i in range(10_000))
    cleaned = clean_output(text, limit=1000)
    assert len(cleaned) <= 1100
    head, marker, tail = cleaned.partition("[… ")
    assert head.startswith("line 0\n") and head.endswith("\n")
    assert marker and " characters truncated …]\n" in tail and tail.endswith("line 9999\n")


def test_torch_is_seeded_and_threaded_by_the_driver(make_repo) -> None:
    """The one integration test with PyTorch: seeds and threads are set when torch is imported."""
    pytest.importorskip("torch")
    _, result = run_page(
        make_repo,
        """
import numpy as np
import torch
expected = torch.rand(3, generator=torch.Generator().manual_seed(0))
print(torch.get_num_threads(), torch.equal(torch.rand(3), expected))
print(np.random.rand() == np.random.RandomState(0).rand())
""",
        threads=1,
    )
    assert outputs(result) == ["1 True\nTrue\n"]
    assert result.recording.env.torch == result.recording.provenance.torch.split("+")[0]


def test_progress_lines_and_heartbeat(make_repo, monkeypatch) -> None:
    monkeypatch.setattr("tools.execution.runner.HEARTBEAT_S", 0.2)
    lines: list[str] = []
    root = make_repo({"docs/zh/p.md": fences("x = 1", "import time\ntime.sleep(1)")})
    [program] = collect_programs(root).values()
    assert run_program(root, program, progress=lines.append, commit="test").ok
    assert lines[:2] == [
        "[demo] cell 1/2 started (docs/zh/p.md:4)",
        "[demo] cell 2/2 started (docs/zh/p.md:8)",
    ]
    assert any(
        line.startswith("[demo] cell 2/2 running, ") and line.endswith(" s elapsed") for line in lines[2:]
    )


def test_work_folders_are_unique_outside_the_repository_and_removed(make_repo, tmp_path, monkeypatch) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: made.append(real_mkdtemp(**kw)) or made[-1])
    root = make_repo({"docs/zh/p.md": fences("print(1)")})
    [program] = collect_programs(root).values()
    results = run_programs(root, [program, program], jobs=2, commit="test", record=False)
    assert [r.ok for r in results] == [True, True], [r.message for r in results]
    assert len(made) == 2 and len(set(made)) == 2
    assert all(Path(folder).parent == temp for folder in made)
    assert list(temp.iterdir()) == []  # removed after the run
    assert not (root / RECORDINGS).exists()
