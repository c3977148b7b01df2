"""`python -m tools check` and `run` on a fixture tree: stale, fresh, and why."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import tools.recordings
from tools import profiles
from tools.recordings import Cell, Env, load_recording, write_recording

ZH = """\
# 演示

```python {exec="demo" data="sources/words.txt"}
# 读取数据
from pathlib import Path
words = Path("sources/words.txt").read_text().split()
print(len(words), "words")
```
"""
EN = ZH.replace("演示", "Demo").replace("读取数据", "read the data")
FILES = {"docs/zh/a/p.md": ZH, "docs/en/a/p.md": EN, "sources/words.txt": "one two three\n"}
WHERE = "docs/zh/a/p.md:3"


@pytest.fixture
def recorded(make_repo, tools_cli) -> Path:
    """A fixture tree whose snippet has been extracted and run."""
    root = make_repo(FILES)
    assert tools_cli(root, "extract").code == 0
    result = tools_cli(root, "run")
    assert result.code == 0, result.err
    return root


def test_extract_check_run_check_edit_check(make_repo, tools_cli) -> None:
    root = make_repo(FILES)
    result = tools_cli(root, "check")
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{WHERE}: snippets/demo.py is missing; run `python -m tools extract`",
        f'{WHERE}: cpu recording of "demo" is missing (recordings/cpu/demo.json does not exist); '
        "run `python -m tools run demo --force`",
    ]
    assert tools_cli(root, "extract").code == 0
    result = tools_cli(root, "run")
    assert (result.code, result.out.splitlines()[0]) == (
        0,
        "1 of 1 snippets need a run; running 1 (profile cpu, 2 threads, 1 jobs)",
    )
    assert "[demo] cell 1/1 started (docs/zh/a/p.md:4)" in result.err
    result = tools_cli(root, "check")
    assert (result.code, result.out) == (0, "1 snippets, 1 recordings checked, all usable\n")
    assert tools_cli(root, "run").out.startswith("0 of 1 snippets need a run; running 0")

    for lang, text in (("zh", ZH), ("en", EN)):
        (root / f"docs/{lang}/a/p.md").write_text(text.replace('"words")', '"words!")'))
    result = tools_cli(root, "check")
    assert result.code == 1
    assert result.out.splitlines() == [
        "snippets/demo.py:1: out of date with docs/zh/a/p.md; run `python -m tools extract`",
        f'{WHERE}: cpu recording of "demo" is code-changed (code changed); '
        "run `python -m tools run demo --force`",
    ]


def test_comment_edit_keeps_the_recording_fresh(recorded, tools_cli) -> None:
    page = recorded / "docs/zh/a/p.md"
    page.write_text(page.read_text().replace("# 读取数据", "# 读取数据（新注释）"))
    assert tools_cli(recorded, "check").code == 0  # even before extract: comments are a note
    assert tools_cli(recorded, "extract").code == 0
    assert tools_cli(recorded, "check").code == 0


def test_recording_content(recorded) -> None:
    recording = load_recording(recorded, "demo", "cpu")
    assert recording.cells == (Cell(index=1, page="docs/zh/a/p.md", line=4, output="3 words\n", figures=()),)
    assert list(recording.fingerprint.data) == ["sources/words.txt"]
    assert recording.profile == "cpu"
    assert recording.env.numerics == profiles.CPU.numerics(2)
    assert recording.provenance.pinned_env["ATEN_CPU_CAPABILITY"] == "avx2"
    assert recording.provenance.threads == 2
    assert recording.provenance.device.startswith("CPU: ")
    leftovers = [p.name for p in (recorded / "recordings/cpu").iterdir()]
    assert sorted(leftovers) == [".lock", "demo.json"]  # .lock is git-ignored


@pytest.mark.parametrize(
    "change, reason",
    [
        ("edit", "is data-changed (data file sources/words.txt changed)"),
        ("delete", 'data="sources/words.txt" matches no file'),
    ],
)
def test_changed_data_file_makes_the_recording_stale(recorded, tools_cli, change, reason) -> None:
    data = recorded / "sources/words.txt"
    data.write_text("one two three four\n") if change == "edit" else data.unlink()
    result = tools_cli(recorded, "check")
    assert result.code == 1
    assert reason in result.out


def test_changed_env_is_a_note_not_staleness(recorded, tools_cli, monkeypatch) -> None:
    real = tools.recordings.current_env
    monkeypatch.setattr(
        tools.recordings, "current_env", lambda profile, **kw: {**real(profile, **kw), "torch": "9.9.9"}
    )
    result = tools_cli(recorded, "check")
    assert result.code == 0
    assert "was recorded with torch 2.13.0 -> 9.9.9; it is still shown" in result.err
    assert tools_cli(recorded, "run", "-q").out.startswith("0 of 1 snippets need a run")
    assert tools_cli(recorded, "run", "-q", "--env-drift").out.startswith("1 of 1 snippets need")


def test_cuda_recording_keeps_only_code_and_data(recorded, tools_cli) -> None:
    cpu = load_recording(recorded, "demo", "cpu")
    cuda = replace(cpu, profile="cuda", env=Env(torch="2.11.0", transformers="5.17.0", numerics="cuda"))
    write_recording(recorded / "recordings/cuda", "demo", cuda, figures={})
    result = tools_cli(recorded, "check")
    assert (
        result.out == "1 snippets, 2 recordings checked, all usable, 1 with environment "
        "drift (shown, see notes)\n"
    )
    cuda = replace(cuda, fingerprint=replace(cuda.fingerprint, code="0" * 64))
    write_recording(recorded / "recordings/cuda", "demo", cuda, figures={})
    result = tools_cli(recorded, "check")
    assert result.code == 0  # a stale GPU recording cannot be redone on CPU: warn only
    assert 'warning: docs/zh/a/p.md:3: cuda recording of "demo" is code-changed (code changed)' in result.err


def test_corrupt_and_orphan_recordings(recorded, tools_cli) -> None:
    (recorded / "recordings/cpu/old.json").write_text("{}")
    (recorded / "recordings/cpu/demo.json").write_text("{not json")
    result = tools_cli(recorded, "check")
    assert result.code == 1
    assert result.out.startswith(
        f'{WHERE}: cpu recording of "demo" is broken (recordings/cpu/demo.json: not valid JSON'
    )
    assert "run `python -m tools run demo --force`" in result.out
    assert 'recordings/cpu/old.json:1: no fence has id "old"' in result.err


def test_check_reports_translation_problems(recorded, tools_cli) -> None:
    (recorded / "docs/en/a/p.md").write_text(EN.replace('"words"', '"Wörter"'))
    result = tools_cli(recorded, "check")
    assert result.code == 1
    assert result.out.startswith('docs/en/a/p.md:7: snippet "demo" differs from docs/zh/a/p.md:7')


def test_run_unknown_id(recorded, tools_cli) -> None:
    result = tools_cli(recorded, "run", "nope")
    assert result.code == 2
    assert "unknown snippet id(s) nope; known ids: demo" in result.err


@pytest.mark.parametrize(
    "files, expected",
    [
        ({"docs/zh/p.md": '# t\n```python {exec="demo"}\nx = 1\n'}, "docs/zh/p.md:2: unterminated"),
        (
            {
                "docs/zh/a.md": '```python {exec="demo"}\nx = 1\n```\n',
                "docs/zh/b.md": '```python {exec="demo"}\nx = 1\n```\n',
            },
            "docs/zh/b.md:1: snippet id",
        ),
        (
            {"docs/zh/p.md": b'```python {exec="demo"}\nprint("\xe4")\n```\n'},
            "docs/zh/p.md:2: not valid UTF-8",
        ),
        (
            {
                "docs/zh/p.md": ZH,
                "docs/en/p.md": ZH.replace('"demo"', '"demo2"'),
                "sources/words.txt": "a b\n",
            },
            'docs/en/p.md:3: unknown id "demo2"',
        ),
    ],
    ids=["unterminated", "duplicate-id", "non-utf8", "unknown-id"],
)
def test_bad_pages_fail_check_extract_and_run(make_repo, tools_cli, files, expected) -> None:
    root = make_repo(files)
    result = tools_cli(root, "check")
    assert result.code == 1
    assert any(line.startswith(expected) for line in result.out.splitlines()), result.out
    for command in ("extract", "run"):  # en problems stop extract and run too
        result = tools_cli(root, command)
        assert result.code == 1
        assert f"error: {expected}" in result.err
