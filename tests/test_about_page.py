"""The "About this edition" pages quote counts (code blocks per fate, pages and
editor's notes per article); they must match the manifests and the docs."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tools.markdown import title as markdown_title

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
    for row, (number, _folder) in zip(rows, ARTICLES, strict=True):
        blocks = yaml.safe_load(
            (ROOT / "sources" / "code-blocks" / f"{number}.yml").read_text(encoding="utf-8")
        )
        fates = Counter(block["fate"] for block in blocks)
        expected = [str(len(blocks))] + [str(fates[fate]) for fate in FATES]
        assert row[1:] == expected, f"docs/{lang}/about.md row {row[0]!r}: {row[1:]} != manifest {expected}"
        total += len(blocks)
    assert re.search(rf"\b{total}\b", text), (
        f"docs/{lang}/about.md should state the total of {total} code blocks"
    )


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


# ---------------------------------------------------------------- one title per article and language

# Articles 000 and 001 share their Chinese title; the labels that list the articles side by side
# (home table, nav, About tables) tell them apart by this suffix, the same way in both languages.
SUFFIX = {
    "zh": {"000": "（短篇）", "001": "（长篇）"},
    "en": {"000": " (short)", "001": " (long)"},
}


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml with its MkDocs-specific tags (!ENV, !!python/...) read as None: not needed here."""


_ConfigLoader.add_multi_constructor(
    "", lambda loader, suffix, node: None
)  # any tag YAML itself does not know


def _config() -> dict:
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)  # noqa: S506


def _nav_sections(nav: list) -> dict[str, str]:
    """{first page of a section: section title} over the whole nav tree."""
    found: dict[str, str] = {}
    for entry in nav:
        if isinstance(entry, dict):
            for title, children in entry.items():
                if isinstance(children, list):
                    if children and isinstance(children[0], str):
                        found[children[0]] = title
                    found.update(_nav_sections(children))
    return found


def _h1(path: Path) -> str:
    title = markdown_title(path.read_text(encoding="utf-8"))
    assert title is not None, f"{path}: no # H1"
    return title


def _labels(lang: str) -> dict[str, str]:
    """{folder: the article's label}: its H1, plus the suffix that tells 000 from 001."""
    return {
        folder: _h1(ROOT / "docs" / lang / folder / "index.md") + SUFFIX[lang].get(number, "")
        for number, folder in ARTICLES
    }


def test_articles_000_and_001_have_distinct_labels() -> None:
    for lang in ("zh", "en"):
        labels = _labels(lang)
        assert len(set(labels.values())) == len(labels), f"docs/{lang}: two articles share a label: {labels}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_table_uses_the_article_titles(lang: str) -> None:
    home = (ROOT / "docs" / lang / "index.md").read_text(encoding="utf-8")
    for folder, label in _labels(lang).items():
        linked = re.findall(rf"^\|\s*\[([^\]]+)\]\({re.escape(folder)}/index\.md\)", home, re.M)
        assert linked == [label], (
            f"docs/{lang}/index.md: the row of {folder}/ should link {label!r}, not {linked}"
        )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_about_tables_use_the_article_titles(lang: str) -> None:
    text = (ROOT / "docs" / lang / "about.md").read_text(encoding="utf-8")
    labels = list(_labels(lang).values())
    for header in (
        ("原文 | 代码块", "原文 | 页数") if lang == "zh" else ("Article | Code blocks", "Article | Pages")
    ):
        names = [row[0] for row in _table_rows(text, header)]
        assert names == labels, f"docs/{lang}/about.md table {header!r}: first column {names} != {labels}"


def test_nav_uses_the_article_titles() -> None:
    config = _config()
    sections = _nav_sections(config["nav"])
    i18n = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    english = next(lang for lang in i18n["languages"] if lang["locale"] == "en")
    translations = english.get("nav_translations", {})
    zh_labels, en_labels = _labels("zh"), _labels("en")
    for _number, folder in ARTICLES:
        title = sections.get(f"{folder}/index.md")
        assert title == zh_labels[folder], (
            f"mkdocs.yml nav: section of {folder}/ is {title!r}, not {zh_labels[folder]!r}"
        )
        assert translations.get(title) == en_labels[folder], (
            f"mkdocs.yml nav_translations[{title!r}] is {translations.get(title)!r}, not {en_labels[folder]!r}"
        )
