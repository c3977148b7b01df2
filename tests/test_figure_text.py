"""Figure alt text: what the driver records of a figure (its title and axis labels), how a
recording's reader checks it, and the alt text the pages build from it in each language."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tools.recordings import (
    FIGURE_TEXT_LIMIT,
    Cell,
    Recording,
    RecordingError,
    RecordingState,
    parse_figure_text,
    parse_recording,
)
from tools.site.render import cell_output_html, figure_alt

ATTENTION = {
    "title": "",
    "axes": [
        {"title": "full (encoder)", "x": "key (attended to)", "y": "query"},
        {"title": "causal (decoder)", "x": "key (attended to)", "y": "query"},
    ],
    "scales": ["attention weight"],
}
LOSS = {"title": "", "axes": [{"title": "training loss", "x": "step", "y": "cross-entropy"}], "scales": []}


def _data(cell: dict) -> dict:
    """A recording's JSON, its one cell with these fields added."""
    return {
        "schema": 3,
        "id": "demo",
        "profile": "cpu",
        "status": "ok",
        "fingerprint": {"code": "0" * 64, "data": {}},
        "env": {"torch": None, "transformers": None, "numerics": "x"},
        "provenance": {
            "device": "CPU",
            "python": "3.11.7",
            "torch": None,
            "transformers": None,
            "threads": 2,
            "duration_s": 1.0,
            "date": "2026-11-23T05:00:00+00:00",
            "commit": "abc1234",
            "pinned_env": {},
        },
        "cells": [
            {
                "index": 1,
                "page": "docs/zh/p.md",
                "line": 3,
                "output": "",
                "figures": ["cell1-fig1-0123abcd.png"],
                **cell,
            }
        ],
    }


def _recording(cell: dict) -> Recording:
    return parse_recording(_data(cell), snippet_id="demo", profile="cpu")


def test_driver_records_titles_axis_labels_and_colorbar_labels() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tools.execution.driver import figure_text

    fig, axes = plt.subplots(1, 2)
    for ax, title in zip(axes, ["full (encoder)", "causal (decoder)"], strict=True):
        image = ax.imshow([[0.0, 1.0], [1.0, 0.0]])
        ax.set(title=title, xlabel="key (attended to)", ylabel="query")
    fig.colorbar(image, ax=axes, label="attention weight")
    try:
        assert figure_text(fig) == ATTENTION
        fig.suptitle("Attention\nweights\x1b[31m " + "x" * 500)
        recorded = figure_text(fig)
        assert recorded["title"].startswith("Attention weights[31m xxx")  # one printable line
        assert len(recorded["title"]) == FIGURE_TEXT_LIMIT
        parse_figure_text([recorded], figures=1)
    finally:
        plt.close("all")


def test_recordings_without_figure_text_stay_valid() -> None:
    assert _recording({}).cells[0].figure_text is None
    [text] = _recording({"figure_text": [ATTENTION]}).cells[0].figure_text
    assert [axes.title for axes in text.axes] == ["full (encoder)", "causal (decoder)"]


@pytest.mark.parametrize(
    ("figure_text", "message"),
    [
        ([], "0 entries for 1 figures"),
        ([LOSS, LOSS], "2 entries for 1 figures"),
        ([{"title": "t", "axes": []}], "lacks 'scales'"),
        ([{**LOSS, "title": 7}], "must be str"),
        ([{**LOSS, "title": "a\nb"}], "printable lines"),
        ([{**LOSS, "scales": ["\u200b"]}], "printable lines"),
        ([{**LOSS, "title": "x" * (FIGURE_TEXT_LIMIT + 1)}], "printable lines"),
        ([{**LOSS, "axes": LOSS["axes"] * 40}], "more than 32 plots"),
        ("Figure: hi", "must be a list"),
    ],
)
def test_malformed_figure_text_makes_the_recording_broken(figure_text: object, message: str) -> None:
    with pytest.raises(RecordingError, match=message):
        _recording({"figure_text": figure_text})


@pytest.mark.parametrize(
    ("entry", "lang", "expected"),
    [
        (
            ATTENTION,
            "zh",
            "图，2 个子图：full (encoder)（横轴：key (attended to)，纵轴：query）；"
            "causal (decoder)（横轴：key (attended to)，纵轴：query）；色标：attention weight",
        ),
        (
            ATTENTION,
            "en",
            "Figure with 2 panels: full (encoder) (x axis: key (attended to); y axis: query); "
            "causal (decoder) (x axis: key (attended to); y axis: query); "
            "color scale: attention weight",
        ),
        (LOSS, "zh", "图：training loss（横轴：step，纵轴：cross-entropy）"),
        (LOSS, "en", "Figure: training loss (x axis: step; y axis: cross-entropy)"),
        (
            {**LOSS, "title": "Run 1"},
            "en",
            "Figure: Run 1; training loss (x axis: step; y axis: cross-entropy)",
        ),
        (
            {"title": "", "axes": [{"title": "", "x": "", "y": "accuracy"}], "scales": []},
            "zh",
            "图：纵轴：accuracy",
        ),
        (
            {"title": "Digits", "axes": [{"title": "", "x": "", "y": ""}], "scales": []},
            "en",
            "Figure: Digits",
        ),
        # Nothing to say: the alt text names the cell, as for recordings made before figure_text.
        (
            {"title": "", "axes": [{"title": "", "x": "", "y": ""}], "scales": []},
            "zh",
            "demo 第 5 段代码的图 1",
        ),
        (None, "en", "demo, figure 1 of code cell 5"),
    ],
)
def test_alt_text_names_title_and_axes_in_the_page_language(
    entry: dict | None, lang: str, expected: str
) -> None:
    texts = None if entry is None else parse_figure_text([entry], figures=1)
    cell = Cell(
        index=5,
        page="docs/zh/p.md",
        line=3,
        output="",
        figures=("cell5-fig1-0123abcd.png",),
        figure_text=texts,
    )
    assert figure_alt(cell, 1, snippet_id="demo", cell_index=5, lang=lang) == expected


def test_hostile_figure_text_is_escaped_in_the_page() -> None:
    hostile = {**LOSS, "title": '"><script>alert(1)</script><img src=x onerror="alert(2)'}
    recording = _recording({"figure_text": [hostile]})
    state = RecordingState("cpu", recording, "fresh")
    html = cell_output_html(
        [state],
        snippet_id="demo",
        cell_index=1,
        last=False,
        figure_url=lambda profile, path: f"fig/{path}",
        lang="en",
    )
    assert "<script>" not in html and 'onerror="' not in html
    assert 'alt="Figure: &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;' in html


def test_a_hand_edited_figure_text_fails_the_reproduction_comparison(tmp_path) -> None:
    from tools.checks.reproduce import compare_recordings

    drawn = _recording({"figure_text": [LOSS]})
    [cell] = drawn.cells
    cell = replace(cell, figures=())  # no figure file to compare, only what the texts say
    fresh = replace(drawn, cells=(cell,))
    assert compare_recordings(tmp_path, fresh, fresh, {}) == []
    edited = parse_figure_text([{**LOSS, "title": "accuracy"}], figures=1)
    recorded = replace(fresh, cells=(replace(cell, figure_text=edited),))
    differences = compare_recordings(tmp_path, recorded, fresh, {})
    assert [d.detail.split(":")[0] for d in differences] == ["the figures' titles and axis labels differ"]
    recorded = replace(fresh, cells=(replace(cell, figure_text=None),))  # recorded before figure texts
    assert compare_recordings(tmp_path, recorded, fresh, {}) == []
