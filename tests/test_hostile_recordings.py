"""Hostile recordings (issue 15): a recording, its figures and its files are untrusted data; every
broken one is reported as broken everywhere, with the one repair command, and nothing is read
from outside recordings/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hostile import (
    FIX,
    REC,
    ZH,
    assert_safe,
    figure_of,
    render,
    run_cli,
    snapshot,
)

from tools.execution.runner import run_program
from tools.programs import collect_programs
from tools.recordings import load_recording, recording_state, write_recording

# ---------------------------------------------------------------------------------------------
# 1-3. Recordings are untrusted input


def _set(path: str, value):
    def mutate(root: Path) -> None:
        recording = json.loads((root / REC).read_text())
        target = recording
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        last = keys[-1]
        if value is KeyError:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
        (root / REC).write_text(json.dumps(recording))

    return mutate


def _write(data: bytes):
    return lambda root: (root / REC).write_bytes(data)


def _figure_symlink(root: Path) -> None:
    figure = figure_of(root)
    figure.unlink()
    figure.symlink_to("/etc/passwd")


def _folder_symlink(root: Path) -> None:
    outside = root.parent / "outside"
    shutil.copytree(root / "recordings/cpu/demo", outside)
    shutil.rmtree(root / "recordings/cpu/demo")
    (root / "recordings/cpu/demo").symlink_to(outside)


def _figure_replaced(root: Path) -> None:
    figure_of(root).write_bytes(b"\x89PNG not the recorded figure")


BROKEN_RECORDINGS = {
    "figure-traversal": (_set("cells.1.figures", ["../../../../../../etc/passwd"]), "figure"),
    "figure-absolute": (_set("cells.1.figures", ["/etc/passwd"]), "figure"),
    "figure-symlink-outside": (_figure_symlink, "figure"),
    "figure-folder-symlink": (_folder_symlink, "figure"),
    "figure-bytes-replaced": (_figure_replaced, "figure"),
    "figure-missing": (lambda root: figure_of(root).unlink(), "is missing"),
    "figures-a-string": (_set("cells.1.figures", "cell2-fig1-0123abcd.png"), "must be a list"),
    "recording-empty-list": (_write(b"[]"), "must be an object"),
    "recording-null": (_write(b"null"), "must be an object"),
    "cells-of-ints": (_set("cells", [1]), "must be an object"),
    "cells-null": (_set("cells", None), "must be a list"),
    "output-a-dict": (_set("cells.0.output", {"text": "x"}), "must be str"),
    "index-a-bool": (_set("cells.0.index", True), "must be int"),
    "indexes-out-of-order": (_set("cells.0.index", 2), "cell indexes"),
    "missing-fingerprint": (_set("fingerprint", KeyError), "lacks 'fingerprint'"),
    "missing-output": (_set("cells.0.output", KeyError), "lacks 'output'"),
    "wrong-id": (_set("id", "other"), "not of 'demo'"),
    "wrong-profile": (_set("profile", "cuda"), "not of 'demo'"),
    "old-schema": (_set("schema", 1), "schema 1"),
    "status-error": (_set("status", "error"), "status"),
    "bad-json": (_write(b'{"schema": 2, "id": "de'), "not valid JSON"),
    "bad-utf8": (_write(b'{"schema": 2, "id": "\xff\xfe"}'), "not valid JSON"),
    "utf16-json": (_write('{"schema": 2}'.encode("utf-16")), "not valid JSON"),
    "deeply-nested-json": (_write(b"[" * 100_000 + b"]" * 100_000), "not valid JSON"),
    "output-too-long": (_set("cells.0.output", "x" * 1_000_000), "characters of output"),
    "recording-is-a-folder": (
        lambda root: ((root / REC).unlink(), (root / REC).mkdir()),
        "is not a regular file",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_RECORDINGS))
def test_broken_recording_is_reported_as_broken_everywhere(case, recorded, tools_cli, caplog) -> None:
    mutate, why = BROKEN_RECORDINGS[case]
    mutate(recorded)
    before = snapshot(recorded)
    # check: one problem at the page:line of the first fence, with the one repair command.
    result = tools_cli(recorded, "check")
    assert result.code == 1, result
    [problem] = [line for line in result.out.splitlines() if "recording" in line]
    assert problem.startswith(f'{ZH}:3: cpu recording of "demo" is broken (')
    assert why in problem and problem.endswith(f"run `{FIX}`")
    assert_safe(result.out + result.err)
    state = recording_state(recorded, collect_programs(recorded)["demo"], "demo", "cpu")
    assert (state.state, state.recording, state.usable, state.status) == ("broken", None, False, "broken")
    # extract and the site files: no crash, nothing read from outside the recordings folder.
    assert tools_cli(recorded, "extract").code == 0
    generated = tools_cli(recorded, "site-files")
    assert generated.code == 0, generated
    assert_safe(generated.out + generated.err)
    served = recorded / "docs/assets/generated"
    assert not (served / "figures").exists() or not any((served / "figures").rglob("*.png"))
    for path in recorded.joinpath("docs").rglob("*"):
        if path.is_file():
            assert b"root:x:0:0" not in path.read_bytes() and b"cm9vdDp4OjA6" not in path.read_bytes()
    # the build: an error (strict fails) at the fence, a warning box instead of the output.
    html, errors = render(recorded, ZH, caplog)
    assert any(e.startswith(f"{ZH}:3: snippet 'demo': broken cpu recording") for e in errors), errors
    assert 'class="snippet-output' not in html and "<img" not in html
    assert 'class="admonition warning"' in html and FIX in html
    assert snapshot(recorded) == before


def test_the_repair_command_of_a_broken_recording_repairs_it(recorded, tools_cli) -> None:
    figure_of(recorded).unlink()
    result = tools_cli(recorded, "run", "demo", "--force", "-q")
    assert result.code == 0, result
    assert tools_cli(recorded, "check").code == 0


def test_plain_run_re_records_a_broken_recording(recorded, tools_cli) -> None:
    figure_of(recorded).unlink()
    result = tools_cli(recorded, "run", "-q")
    assert result.code == 0 and "1 of 1 snippets need a run" in result.out, result
    assert load_recording(recorded, "demo", "cpu") is not None


def test_crash_between_figures_and_json_leaves_a_usable_recording(recorded, monkeypatch) -> None:
    before = snapshot(recorded)
    program = collect_programs(recorded)["demo"]
    result = run_program(recorded, program, commit="test", record=False)
    assert result.ok, result.message
    real_replace = os.replace

    def crash(src, dst, *args, **kwargs):
        if str(dst).endswith(".json"):
            raise KeyboardInterrupt  # killed right before the JSON rename
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", crash)
    figures = {"cell2-fig1-00000000.png": b"new figure"}
    cells = result.recording.cells
    recording = replace(
        result.recording, cells=(cells[0], replace(cells[1], figures=tuple(figures)), *cells[2:])
    )
    with pytest.raises(KeyboardInterrupt):
        write_recording(recorded / "recordings/cpu", "demo", recording, figures=figures)
    monkeypatch.setattr(os, "replace", real_replace)
    assert recording_state(recorded, program, "demo", "cpu").state == "fresh"
    after = snapshot(recorded)
    assert {k: v for k, v in after.items() if k in before} == before


def test_env_drift_is_a_note_and_still_shown(recorded, tools_cli, caplog) -> None:
    _set("env.torch", "2.9.0")(recorded)
    result, before = run_cli(tools_cli, recorded, "check")
    assert result.code == 0, result
    assert f'note: {ZH}:3: cpu recording of "demo" was recorded with torch 2.9.0' in result.err
    html, errors = render(recorded, ZH, caplog)
    assert errors == [] and 'class="snippet-output' in html
    assert snapshot(recorded) == before


def test_a_recording_without_fence_is_a_warning(recorded, tools_cli) -> None:
    shutil.copy(recorded / REC, recorded / "recordings/cpu/gone.json")
    result, before = run_cli(tools_cli, recorded, "check")
    assert result.code == 0 and 'recordings/cpu/gone.json:1: no fence has id "gone"' in result.err
    assert snapshot(recorded) == before


# ---------------------------------------------------------------------------------------------
# Figures are untrusted files too: a PNG by signature, within bounds, before anyone serves them


def _swap_figure(root: Path, data: bytes) -> str:
    import hashlib
    import json

    path = root / "recordings/cpu/demo.json"
    recording = json.loads(path.read_text(encoding="utf-8"))
    name = f"cell1-fig1-{hashlib.sha256(data).hexdigest()[:8]}.png"
    recording["cells"][0]["figures"] = [name]
    (root / "recordings/cpu/demo").mkdir(parents=True, exist_ok=True)
    (root / "recordings/cpu/demo" / name).write_bytes(data)
    path.write_text(json.dumps(recording), encoding="utf-8")
    return name


@pytest.mark.parametrize(
    "data, reason",
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "is not a PNG"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (30000).to_bytes(4, "big") * 2 + b"\x08\x06\x00\x00\x00",
            "beyond the bounds of a figure",
        ),
    ],
    ids=["svg-renamed-png", "png-bomb-30000x30000"],
)
def test_a_figure_that_is_not_a_bounded_png_makes_the_recording_broken(
    recorded, tools_cli, data, reason
) -> None:
    _swap_figure(recorded, data)
    result = tools_cli(recorded, "check")
    assert result.code == 1 and "is broken" in result.out and reason in result.out
    assert "Traceback" not in result.out + result.err


# ---------------------------------------------------------------------------------------------
# Special files never hang or exhaust memory: every command answers with the file and a fix.


def test_a_fifo_recording_or_page_is_an_error_not_a_hang(recorded, tools_cli) -> None:
    import os

    os.unlink(recorded / REC)
    os.mkfifo(recorded / REC)
    result = tools_cli(recorded, "check")
    assert result.code == 1 and "is not a regular file" in result.out
    os.unlink(recorded / REC)
    page = recorded / ZH
    page.unlink()
    os.mkfifo(page)
    for command in ("check", "parity"):
        result = tools_cli(recorded, command)
        assert result.code != 0 and "is not a regular file" in result.out + result.err, command


def test_a_recording_linked_to_dev_zero_is_refused(recorded, tools_cli) -> None:
    (recorded / REC).unlink()
    (recorded / REC).symlink_to("/dev/zero")
    result = tools_cli(recorded, "check")
    assert result.code == 1 and "is not a regular file" in result.out


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-1"])
def test_a_duration_that_is_not_seconds_makes_the_recording_broken(recorded, tools_cli, value) -> None:
    path = recorded / REC
    text = path.read_text(encoding="utf-8")

    path.write_text(re.sub(r'"duration_s": [0-9.]+', f'"duration_s": {value}', text), encoding="utf-8")
    result = tools_cli(recorded, "check")
    assert result.code == 1 and "not a number of seconds" in result.out
