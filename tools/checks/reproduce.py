"""Does a fresh execution reproduce the committed recording? (nbval's question, for snippets.)

`compare_recordings(recorded, fresh_recording, fresh_figures)` compares every cell's cleaned text
and every figure. Volatile parts are masked by the explicit rules in `MASKS` (dates, durations,
rates, the page:line of warnings, memory addresses) before comparing; figures are compared pixel
by pixel (PNG metadata and compression do not count).

How strictly is the profile's data (tools.profiles): when the numeric environment (torch,
transformers and the pinned numeric setting) is the recording's, its `same_numerics` rule applies
and any difference fails (cpu: exact, every character and pixel, on any x86-64 CPU with AVX2);
otherwise its `other_numerics` tolerance applies: text outside numbers must still match exactly,
numbers within the stated tolerance, and what lies beyond is reported as drift. A fence marked
`output="volatile"` (like nbval's NBVAL_IGNORE_OUTPUT) is run but its text is not compared.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from tools.profiles import EXACT, Tolerance
from tools.recordings import Recording, env_drift, figure_path

__all__ = ["MASKS", "Difference", "EnvironmentDriftWarning", "compare_recordings", "mask", "same_environment"]


class EnvironmentDriftWarning(UserWarning):
    """A snippet's output differs from a recording made in another environment."""


# (pattern, replacement), applied in order to both sides before comparing.
MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"), "<date>"),
    (re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?(?:ms|s|sec|seconds|min)\b(?!/)"), "<duration>"),
    (re.compile(r"(?<![\w.])[\d.,]+\s?[kMG]?(?:tokens|it|samples|examples|images|steps)/s\b"), "<rate>"),
    (re.compile(r"docs/(?:zh|en)/[\w./-]+?\.md:\d+"), "<page>:<line>"),
    (re.compile(r"\b0x[0-9a-fA-F]{6,}\b"), "0x<address>"),
)


def mask(text: str) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


# A number as printed: sign, digits, decimals, exponent ("-0.774", "8.9e-08", "1,024", "nan").
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w])|\b(?:nan|inf)\b")


@dataclass(frozen=True)
class Difference:
    cell: int
    page: str
    line: int
    detail: str  # a unified diff of the cell's masked output, or what differs in a figure
    text: bool = True  # False: only numbers beyond the tolerance (or pixels) differ

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: cell {self.cell}: {self.detail}"


def _number(token: str) -> float | None:
    try:
        return float(token.replace(",", ""))
    except ValueError:  # "1,2,3": a list printed without spaces, compared as text
        return None


def _numbers_close(old: str, new: str, tolerance: Tolerance) -> tuple[bool, list[str]]:
    """(the text outside numbers is the same, the number pairs beyond the tolerance)."""
    if _NUMBER.sub("#", old) != _NUMBER.sub("#", new):
        return False, []
    beyond = []
    for a, b in zip(_NUMBER.findall(old), _NUMBER.findall(new), strict=True):
        if a == b:
            continue
        x, y = _number(a), _number(b)
        if x is None or y is None or not abs(x - y) <= tolerance.abs_tol + tolerance.rel_tol * abs(x):
            beyond.append(f"{a} -> {b}")
    return True, beyond


def _pixels(data: bytes) -> tuple[tuple[int, int], bytes]:
    from PIL import Image  # matplotlib's dependency: present wherever figures are drawn

    with Image.open(io.BytesIO(data)) as image:
        rgba = image.convert("RGBA")
        return rgba.size, rgba.tobytes()


def _figure_difference(old: bytes, new: bytes, tolerance: Tolerance) -> str | None:
    (old_size, old_pixels), (new_size, new_pixels) = _pixels(old), _pixels(new)
    if old_size != new_size:
        return f"{old_size[0]}x{old_size[1]} px recorded, {new_size[0]}x{new_size[1]} px now"
    if old_pixels != new_pixels:
        changed = sum(
            1 for i in range(0, len(old_pixels), 4) if old_pixels[i : i + 4] != new_pixels[i : i + 4]
        )
        total = old_size[0] * old_size[1]
        if not tolerance.exact and changed <= tolerance.pixel_share * total:
            return None
        return f"{changed} of {total} pixels differ"
    return None


def _text_difference(before: str, after: str, index: int, tolerance: Tolerance) -> tuple[str, bool] | None:
    """(what differs, whether text outside numbers differs), or None within the tolerance."""
    if before == after:
        return None
    if not tolerance.exact:
        same_text, beyond = _numbers_close(before, after, tolerance)
        if same_text and not beyond:
            return None
        if same_text:
            shown = ", ".join(beyond[:8]) + (", …" if len(beyond) > 8 else "")
            return (f"{len(beyond)} number(s) beyond the tolerance ({tolerance.describe()}): {shown}"), False
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"recorded cell {index}",
            tofile=f"this run, cell {index}",
            n=2,
        )
    )
    return "output differs:\n" + diff, True


def compare_recordings(
    root: Path,
    recorded: Recording,
    fresh: Recording,
    fresh_figures: dict[str, bytes],
    *,
    tolerance: Tolerance = EXACT,
    volatile: frozenset[int] = frozenset(),
) -> list[Difference]:
    """Every difference between a committed recording and a fresh run of the same program,
    under `tolerance`; the text of cells in `volatile` (their index) is not compared."""
    differences = []
    old_cells = {cell.index: cell for cell in recorded.cells}
    for cell in fresh.cells:
        index, page, line = cell.index, cell.page, cell.line
        old = old_cells.get(index)
        if old is None:
            differences.append(Difference(index, page, line, "not in the recording"))
            continue
        found = (
            None
            if index in volatile
            else _text_difference(mask(old.output), mask(cell.output), index, tolerance)
        )
        if found:
            differences.append(Difference(index, page, line, found[0], text=found[1]))
        if len(old.figures) != len(cell.figures):
            differences.append(
                Difference(
                    index,
                    page,
                    line,
                    f"{len(old.figures)} figures recorded, {len(cell.figures)} drawn now",
                )
            )
            continue
        for number, (old_name, new_name) in enumerate(zip(old.figures, cell.figures, strict=True), 1):
            path = figure_path(root, recorded.id, recorded.profile, old_name)
            detail = _figure_difference(path.read_bytes(), fresh_figures[new_name], tolerance)
            if detail:
                differences.append(
                    Difference(index, page, line, f"figure {number} differs: {detail}", text=False)
                )
        if old.figure_text is not None and old.figure_text != cell.figure_text:
            differences.append(
                Difference(
                    index,
                    page,
                    line,
                    "the figures' titles and axis labels "
                    f"differ: recorded {old.figure_text}, drawn now "
                    f"{cell.figure_text}",
                )
            )
    for index in sorted(set(old_cells) - {cell.index for cell in fresh.cells}):
        old = old_cells[index]
        differences.append(Difference(index, old.page, old.line, "recorded, but not run now"))
    return differences


def same_environment(recorded: Recording, fresh: Recording) -> bool:
    """Bit-comparable: the same torch, transformers and pinned numeric setting."""
    return not env_drift(recorded, fresh.env.as_dict())
