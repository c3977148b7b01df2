"""Trusted outputs: what makes a recording stale, and what the reproduction test catches.

A fixture repository with one tiny snippet that reads a declared data file, prints and draws.
Each test records it for real (tools.execution.runner), then changes one thing.
"""

from __future__ import annotations

import io
import platform
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tests.test_execute_snippets import check_reproduces
from tools.checks.reproduce import EnvironmentDriftWarning, compare_recordings, mask
from tools.programs import collect_programs
from tools.recordings import load_recording, recording_state

PAGE = """\
# 页面

一段说明文字。

```python {exec="demo" data="data/numbers.txt"}
# 读取数据
numbers = [int(x) for x in open("data/numbers.txt", encoding="utf-8").read().split()]
print("sum:", sum(numbers))
```

中间的文字。

```python {exec="demo"}
import matplotlib.pyplot as plt
plt.plot(numbers)
print("plotted", len(numbers), "points")
```
"""


@pytest.fixture(scope="module")
def recorded_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    (root / "docs/zh").mkdir(parents=True)
    (root / "docs/en").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "docs/zh/p.md").write_text(PAGE, encoding="utf-8")
    (root / "docs/en/p.md").write_text(
        PAGE.replace("# 读取数据", "# read the data")
        .replace("一段说明文字。", "Some prose.")
        .replace("中间的文字。", "More prose."),
        encoding="utf-8",
    )
    (root / "data/numbers.txt").write_text("1 2 3 4\n", encoding="utf-8")
    from tools.__main__ import main

    assert main(["run", "--root", str(root), "--quiet"]) == 0
    return root


@pytest.fixture
def repo(recorded_repo: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(recorded_repo, root)
    return root


def _program(root: Path):
    return collect_programs(root)["demo"]


def _state(root: Path) -> str:
    return recording_state(root, _program(root), "demo", "cpu").state


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_recording_holds_outputs_figures_and_declared_data(repo: Path) -> None:
    recording = load_recording(repo, "demo", "cpu")
    assert [cell.output for cell in recording.cells] == ["sum: 10\n", "plotted 4 points\n"]
    assert len(recording.cells[1].figures) == 1
    assert list(recording.fingerprint.data) == ["data/numbers.txt"]
    assert _state(repo) == "fresh"


@pytest.mark.parametrize(
    "rel, old, new",
    [
        ("docs/zh/p.md", "一段说明文字。", "改过的说明文字，\n多了一行。\n\n又一段。"),  # prose edit
        ("docs/zh/p.md", "# 读取数据", "# 读取数据（注释改了）\n# 再加一行注释"),  # comment edit
        ("docs/en/p.md", "Some prose.", "Edited prose."),  # the twin page's prose
    ],
)
def test_prose_and_comment_edits_keep_the_recording_fresh_and_reproducible(
    repo: Path, rel: str, old: str, new: str, tools_cli
) -> None:
    _edit(repo, rel, old, new)
    assert _state(repo) == "fresh"
    assert tools_cli(repo, "check").code == 0
    result = tools_cli(repo, "run")
    assert "0 of 1 snippets need a run" in result.out  # nothing re-executed
    check_reproduces(repo, _program(repo))  # and the outputs still match (page lines masked)


def test_code_and_declared_data_changes_make_it_stale(repo: Path) -> None:
    _edit(repo, "data/numbers.txt", "1 2 3 4", "1 2 3 5")
    assert _state(repo) == "data-changed"
    _edit(repo, "data/numbers.txt", "1 2 3 5", "1 2 3 4")
    assert _state(repo) == "fresh"
    _edit(repo, "docs/zh/p.md", 'print("sum:", sum(numbers))', 'print("total:", sum(numbers))')
    assert _state(repo) == "code-changed"


def test_a_hand_edited_output_fails_the_reproduction_test(repo: Path) -> None:
    _edit(repo, "recordings/cpu/demo.json", "sum: 10", "sum: 11")
    with pytest.raises(pytest.fail.Exception) as failure:
        check_reproduces(repo, _program(repo))
    message = str(failure.value)
    assert "docs/zh/p.md:6: cell 1: output differs" in message
    assert "-sum: 11" in message and "+sum: 10" in message
    assert "python -m tools run demo --force" in message


def test_a_hand_edited_figure_fails_the_reproduction_test(repo: Path) -> None:
    from PIL import Image

    recording = load_recording(repo, "demo", "cpu")
    figure = repo / "recordings/cpu/demo" / recording.cells[1].figures[0]
    with Image.open(figure) as image:
        edited = image.convert("RGBA")
    edited.putpixel((10, 10), (255, 0, 0, 255))
    buffer = io.BytesIO()
    edited.save(buffer, format="PNG")
    figure.write_bytes(buffer.getvalue())
    with pytest.raises(pytest.fail.Exception) as failure:
        check_reproduces(repo, _program(repo))
    # caught twice over: the file no longer matches the digest in its name (a broken recording)
    assert "is not the recorded figure" in str(failure.value)
    assert "python -m tools run demo --force" in str(failure.value)
    # and the pixel comparison with a fresh run tells what differs
    first, second = recording.cells
    fresh = replace(recording, cells=(first, replace(second, figures=("new.png",))))
    figure.write_bytes(buffer.getvalue())
    original = Path(figure)
    differences = compare_recordings(repo, recording, fresh, {"new.png": buffer.getvalue()})
    assert differences == []  # the same pixels as the file on disk
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        other = image.convert("RGBA")
    other.putpixel((11, 11), (0, 0, 255, 255))
    changed = io.BytesIO()
    other.save(changed, format="PNG")
    differences = compare_recordings(repo, recording, fresh, {"new.png": changed.getvalue()})
    assert [str(d) for d in differences] == [
        f"docs/zh/p.md:14: cell 2: figure 1 differs: 1 of {other.size[0] * other.size[1]} pixels differ"
    ]
    assert original.is_file()


def _other_numerics(repo: Path) -> None:
    _edit(
        repo,
        "recordings/cpu/demo.json",
        '"numerics": "x86-64 AVX2 pin',
        '"numerics": "unpinned aarch64 (was: x86-64 AVX2 pin',
    )


def test_other_numerics_compare_numbers_within_the_profiles_tolerance(repo: Path) -> None:
    _other_numerics(repo)
    _edit(repo, "recordings/cpu/demo.json", "sum: 10", "sum: 10.5")  # within 25 %
    check_reproduces(repo, _program(repo))  # no failure, no warning


def test_other_numerics_warn_on_numbers_beyond_the_tolerance(repo: Path) -> None:
    _other_numerics(repo)
    _edit(repo, "recordings/cpu/demo.json", "sum: 10", "sum: 40")
    with pytest.warns(EnvironmentDriftWarning, match=r"40 -> 10"):
        check_reproduces(repo, _program(repo))


def test_other_numerics_still_fail_on_changed_text(repo: Path) -> None:
    _other_numerics(repo)
    _edit(repo, "recordings/cpu/demo.json", "sum: 10", "total: 10")
    with pytest.raises(pytest.fail.Exception, match="text outside numbers differs"):
        check_reproduces(repo, _program(repo))


def test_a_number_off_in_the_last_digit_fails_under_the_same_numerics(repo: Path) -> None:
    _edit(repo, "recordings/cpu/demo.json", "sum: 10", "sum: 10.000001")
    with pytest.raises(pytest.fail.Exception, match="same numeric environment"):
        check_reproduces(repo, _program(repo))


def test_a_volatile_fence_is_run_but_its_text_not_compared(repo: Path) -> None:
    for lang in ("zh", "en"):
        _edit(
            repo, f"docs/{lang}/p.md", '```python {exec="demo"}', '```python {exec="demo" output="volatile"}'
        )
    _edit(repo, "recordings/cpu/demo.json", "plotted 4 points", "plotted 5 points")
    check_reproduces(repo, _program(repo))
    _edit(repo, "recordings/cpu/demo.json", "sum: 10", "sum: 11")  # not volatile: still strict
    with pytest.raises(pytest.fail.Exception, match="sum: 11"):
        check_reproduces(repo, _program(repo))


def test_another_python_or_cpu_model_is_provenance_only(repo: Path, monkeypatch, tools_cli) -> None:
    monkeypatch.setattr(platform, "python_version_tuple", lambda: ("3", "13", "0"))
    assert _state(repo) == "fresh"
    _edit(repo, "recordings/cpu/demo.json", '"device": "CPU: ', '"device": "CPU: AMD EPYC was ')
    assert _state(repo) == "fresh"
    assert tools_cli(repo, "check").code == 0


def test_another_torch_is_env_drift_still_shown(repo: Path, monkeypatch, tools_cli) -> None:
    import tools.recordings

    real = tools.recordings.current_env
    monkeypatch.setattr(
        tools.recordings, "current_env", lambda profile, **kw: {**real(profile, **kw), "torch": "9.9.9"}
    )
    assert _state(repo) == "env-drift"
    result = tools_cli(repo, "check")
    assert result.code == 0, result.out + result.err
    assert "note:" in result.err and "torch 2.13.0 -> 9.9.9" in result.err
    assert "1 with environment drift" in result.out
    assert "0 of 1 snippets need a run" in tools_cli(repo, "run").out
    # the page still shows every output, and no error is logged (a strict build passes)
    import logging

    import markdown

    from tools.site import markdown_ext

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    markdown_ext.log.addHandler(handler)
    try:
        html = markdown.markdown(
            (repo / "docs/en/p.md").read_text(encoding="utf-8"),
            extensions=[markdown_ext.makeExtension(root=str(repo)), "pymdownx.superfences"],
        )
    finally:
        markdown_ext.log.removeHandler(handler)
    assert [r.getMessage() for r in records if r.levelno >= logging.WARNING] == []
    assert html.count('class="snippet-output"') == 2
    assert (
        "sum: 10" in html and f"Python {platform.python_version()}" in html
    )  # provenance: the recording run's
    assert "1 of 1 snippets need a run" in tools_cli(repo, "run", "--env-drift", "-q").out


def test_masks_hide_only_volatile_text() -> None:
    assert (
        mask("took 3.2 s at 1,234 tokens/s on 2026-12-01T10:00:00+00:00")
        == "took <duration> at <rate> on <date>"
    )
    assert mask("docs/zh/a/b.md:12: UserWarning: x") == "<page>:<line>: UserWarning: x"
    assert mask("loss 0.123 after 3 steps, 10 s/it") == "loss 0.123 after 3 steps, 10 s/it"


def test_reproduction_reports_missing_and_extra_cells(repo: Path) -> None:
    recording = load_recording(repo, "demo", "cpu")
    fresh = replace(recording, cells=recording.cells[:1])
    differences = compare_recordings(repo, recording, fresh, {})
    assert [str(d) for d in differences] == ["docs/zh/p.md:14: cell 2: recorded, but not run now"]
