"""Does a fresh execution reproduce the committed recording? (nbval's question, for snippets.)

`compare_recordings(recorded, fresh_recording, fresh_figures)` compares every cell's cleaned text
and every figure. Volatile parts are masked by the explicit rules in `MASKS` (dates, durations,
rates, the page:line of warnings, memory addresses) before comparing; figures are compared pixel
by pixel (PNG metadata and compression do not count). `strict` tells whether a difference is an
error: only when the environment (Python, torch, transformers, device) is the recording's, since
other versions or another CPU may legitimately print other last digits.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from tools.recordings import env_drift, figure_path

__all__ = ["MASKS", "Difference", "EnvironmentDriftWarning", "compare_recordings", "mask"]


class EnvironmentDriftWarning(UserWarning):
    """A snippet's output differs from a recording made in another environment."""


# (pattern, replacement), applied in order to both sides before comparing.
MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"),
     "<date>"),
    (re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?(?:ms|s|sec|seconds|min)\b(?!/)"), "<duration>"),
    (re.compile(r"(?<![\w.])[\d.,]+\s?[kMG]?(?:tokens|it|samples|examples|images|steps)/s\b"),
     "<rate>"),
    (re.compile(r"docs/(?:zh|en)/[\w./-]+?\.md:\d+"), "<page>:<line>"),
    (re.compile(r"\b0x[0-9a-fA-F]{6,}\b"), "0x<address>"),
)


def mask(text: str) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class Difference:
    cell: int
    page: str
    line: int
    detail: str  # a unified diff of the cell's masked output, or what differs in a figure

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: cell {self.cell}: {self.detail}"


def _pixels(data: bytes) -> tuple[tuple[int, int], bytes]:
    from PIL import Image  # matplotlib's dependency: present wherever figures are drawn

    with Image.open(io.BytesIO(data)) as image:
        rgba = image.convert("RGBA")
        return rgba.size, rgba.tobytes()


def _figure_difference(old: bytes, new: bytes) -> str | None:
    (old_size, old_pixels), (new_size, new_pixels) = _pixels(old), _pixels(new)
    if old_size != new_size:
        return f"{old_size[0]}x{old_size[1]} px recorded, {new_size[0]}x{new_size[1]} px now"
    if old_pixels != new_pixels:
        changed = sum(1 for i in range(0, len(old_pixels), 4)
                      if old_pixels[i:i + 4] != new_pixels[i:i + 4])
        return f"{changed} of {old_size[0] * old_size[1]} pixels differ"
    return None


def compare_recordings(root: Path, recorded: dict, fresh: dict, fresh_figures: dict[str, bytes]
                       ) -> list[Difference]:
    """Every difference between a committed recording and a fresh run of the same program."""
    differences = []
    old_cells = {cell["index"]: cell for cell in recorded["cells"]}
    for cell in fresh["cells"]:
        index, page, line = cell["index"], cell["page"], cell["line"]
        old = old_cells.get(index)
        if old is None:
            differences.append(Difference(index, page, line, "not in the recording"))
            continue
        before, after = mask(old["output"]), mask(cell["output"])
        if before != after:
            diff = "".join(difflib.unified_diff(
                before.splitlines(keepends=True), after.splitlines(keepends=True),
                fromfile=f"recorded cell {index}", tofile=f"this run, cell {index}", n=2))
            differences.append(Difference(index, page, line, "output differs:\n" + diff))
        if len(old["figures"]) != len(cell["figures"]):
            differences.append(Difference(index, page, line, f"{len(old['figures'])} figures "
                                          f"recorded, {len(cell['figures'])} drawn now"))
            continue
        for number, (old_name, new_name) in enumerate(zip(old["figures"], cell["figures"]), 1):
            path = figure_path(root, recorded["id"], recorded["profile"], old_name)
            detail = _figure_difference(path.read_bytes(), fresh_figures[new_name])
            if detail:
                differences.append(Difference(index, page, line, f"figure {number} differs: {detail}"))
    for index in sorted(set(old_cells) - {cell["index"] for cell in fresh["cells"]}):
        old = old_cells[index]
        differences.append(Difference(index, old["page"], old["line"], "recorded, but not run now"))
    return differences


def same_environment(recorded: dict, fresh: dict) -> bool:
    return not env_drift(recorded, fresh["env"])
