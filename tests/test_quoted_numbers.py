"""Every number quoted in the prose matches what its snippet printed in the cpu recording.

Prose quotes a snippet's output as <span class="snippet-quote" data-snippet="ID">TEXT</span>;
TEXT must occur in the concatenated cell outputs of recordings/cpu/ID.json.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tools.recordings import load_recording

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "recordings" / "cpu"
QUOTE = re.compile(r'<span class="snippet-quote" data-snippet="([a-z0-9-]+)">(.*?)</span>')


def markdown_files() -> list[Path]:
    return sorted((ROOT / "docs" / "zh").rglob("*.md")) + sorted((ROOT / "docs" / "en").rglob("*.md"))


def quotes() -> list[tuple[str, int, str, str]]:
    found = []
    for path in markdown_files():
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in QUOTE.finditer(line):
                found.append(
                    (path.relative_to(ROOT).as_posix(), lineno, match.group(1), html.unescape(match.group(2)))
                )
    return found


def recorded_output(snippet_id: str) -> str | None:
    recording = load_recording(ROOT, snippet_id, "cpu")
    return None if recording is None else "".join(cell.output for cell in recording.cells)


ALL_QUOTES = quotes()


def test_quote_pattern_finds_spans_in_chinese_text() -> None:
    line = '困惑度从 <span class="snippet-quote" data-snippet="gpt2-x">79.8</span> 降到 <span class="snippet-quote" data-snippet="gpt2-x">17.1</span>。'
    assert [m.groups() for m in QUOTE.finditer(line)] == [("gpt2-x", "79.8"), ("gpt2-x", "17.1")]


@pytest.mark.parametrize(
    ("where", "snippet_id", "text"),
    [(f"{path}:{lineno}", sid, text) for path, lineno, sid, text in ALL_QUOTES]
    or [pytest.param("", "", "", marks=pytest.mark.skip("no quoted numbers yet"))],
)
def test_quoted_text_occurs_in_cpu_recording(where: str, snippet_id: str, text: str) -> None:
    output = recorded_output(snippet_id)
    assert output is not None, (
        f"{where}: quotes {text!r} from snippet {snippet_id!r}, which has no cpu recording "
        f"({RECORDINGS.relative_to(ROOT)}/{snippet_id}.json); record it with `python -m tools run {snippet_id}`"
    )
    assert text in output, (
        f"{where}: quoted text {text!r} does not occur in the recorded output of snippet {snippet_id!r}; "
        f"re-read the output (`python -m tools run {snippet_id}`) and update the quote"
    )
