"""The "About this edition" pages quote counts (code blocks per fate, pages and
editor's notes per article); they must match the manifests and the docs."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = [  # (manifest, folder) in the order of the About tables
    ("000", "open-or-closed"),
    ("001", "commercialization"),
    ("002", "llm-fundamentals"),
    ("003", "model-comparison"),
    ("004", "choosing-an-llm"),
]
# An editor's note is an admonition titled 编者注 / Editor's note (any type).
NOTE_HEADERS = {
    "zh": re.compile(r'^\s*[!?]{3}\+? \w+ "编者注[^"]*"', re.M),
    "en": re.compile(r'^\s*[!?]{3}\+? \w+ "Editor\'s note[^"]*"', re.M),
}
FATES = ["executable", "shell", "illustrative", "diagram"]


def _table_rows(text: str, header_start: str) -> list[list[str]]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| " + header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_code_block_table_matches_manifests(lang: str) -> None:
    text = (ROOT / "docs" / lang / "about.md").read_text(encoding="utf-8")
    rows = _table_rows(text, "原文 | 代码块" if lang == "zh" else "Article | Code blocks")
    assert len(rows) == len(ARTICLES)
    total = 0
    for row, (number, _folder) in zip(rows, ARTICLES):
        blocks = yaml.safe_load((ROOT / "sources" / "code-blocks" / f"{number}.yml").read_text(encoding="utf-8"))
        fates = Counter(block["fate"] for block in blocks)
        expected = [str(len(blocks))] + [str(fates[fate]) for fate in FATES]
        assert row[1:] == expected, f"docs/{lang}/about.md row {row[0]!r}: {row[1:]} != manifest {expected}"
        total += len(blocks)
    assert re.search(rf"\b{total}\b", text), f"docs/{lang}/about.md should state the total of {total} code blocks"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_editor_note_table_matches_docs(lang: str) -> None:
    text = (ROOT / "docs" / lang / "about.md").read_text(encoding="utf-8")
    rows = _table_rows(text, "原文 | 页数" if lang == "zh" else "Article | Pages")
    for row, (_number, folder) in zip(rows, ARTICLES, strict=True):
        pages = sorted((ROOT / "docs" / lang / folder).glob("*.md"))
        notes = sum(len(NOTE_HEADERS[lang].findall(page.read_text(encoding="utf-8"))) for page in pages)
        assert row[1:] == [str(len(pages)), str(notes)], (
            f"docs/{lang}/about.md row {row[0]!r}: {row[1:]} != docs ({len(pages)} pages, {notes} notes)"
        )
