"""The recording as a type: the one reader (JSON → Recording) and the one writer (Recording →
JSON) are inverse on every committed recording, byte for byte, and refuse what they cannot keep."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests.conftest import recording_of
from tools.recordings import (
    RECORDINGS_DIR,
    Recording,
    RecordingError,
    figure_path,
    load_recording,
    parse_recording,
    recording_json,
    write_recording,
)

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = sorted((ROOT / RECORDINGS_DIR).glob("*/*.json"))


@pytest.mark.parametrize("path", COMMITTED, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_every_committed_recording_is_written_back_byte_for_byte(path: Path, tmp_path: Path) -> None:
    snippet_id, profile = path.stem, path.parent.name
    recording = load_recording(ROOT, snippet_id, profile)
    assert isinstance(recording, Recording)
    assert recording_json(recording).encode("utf-8") == path.read_bytes()
    # Through the writer itself, figures included, into another folder.
    figures = {
        name: figure_path(ROOT, snippet_id, profile, name).read_bytes()
        for cell in recording.cells
        for name in cell.figures
    }
    out = tmp_path / profile
    write_recording(out, snippet_id, recording, figures=figures)
    assert (out / f"{snippet_id}.json").read_bytes() == path.read_bytes()
    for name, data in figures.items():
        assert (out / snippet_id / name).read_bytes() == data


def test_there_are_committed_recordings_to_compare() -> None:
    assert COMMITTED, "no recordings/<profile>/<id>.json found"


def _data(**changes: object) -> dict:
    data = json.loads(recording_json(recording_of("demo", ["hi\n"])))
    data.update(changes)
    return data


def test_a_recording_is_frozen() -> None:
    recording = recording_of("demo", ["hi\n"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        recording.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        recording.fingerprint.data["x"] = "y"  # type: ignore[index]


def test_an_unknown_field_is_refused_not_dropped() -> None:
    data = _data(note="kept?")
    with pytest.raises(RecordingError, match="unknown field 'note'"):
        parse_recording(data, snippet_id="demo", profile="cpu")
    data = _data()
    data["provenance"]["gpu_clock"] = "1.9 GHz"
    with pytest.raises(RecordingError, match="provenance has the unknown field 'gpu_clock'"):
        parse_recording(data, snippet_id="demo", profile="cpu")


def test_an_absent_figure_text_stays_absent_and_null_is_refused() -> None:
    data = _data()
    assert "figure_text" not in data["cells"][0]
    assert parse_recording(data, snippet_id="demo", profile="cpu").cells[0].figure_text is None
    data["cells"][0]["figure_text"] = None
    with pytest.raises(RecordingError, match=r"cells\[0\].figure_text must be a list, not NoneType"):
        parse_recording(data, snippet_id="demo", profile="cpu")


def test_a_wrong_type_names_its_path() -> None:
    data = _data()
    data["provenance"]["pinned_env"] = {"OMP_NUM_THREADS": 2}
    with pytest.raises(
        RecordingError, match=r"provenance.pinned_env\['OMP_NUM_THREADS'\] must be str, not int"
    ):
        parse_recording(data, snippet_id="demo", profile="cpu")
    data = _data()
    data["env"]["torch"] = 2.13
    with pytest.raises(RecordingError, match="env.torch must be str or null, not float"):
        parse_recording(data, snippet_id="demo", profile="cpu")
