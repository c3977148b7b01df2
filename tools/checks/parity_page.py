"""Pages of the bilingual site as records, and what the parity checker counts on them.

`Page` splits a Markdown file into prose and fenced code (tools.markdown); the extractors below
return the page's headings, formulas, diagrams, tables, admonitions, images
and executable cells as `Item`s with their lines. Also: the `source_hash` an en page records in its
front matter (which version of its zh original it translates) and `stamp`, which updates it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

from tools.files import write_text_atomic
from tools.languages import SOURCE as SOURCE_LANG
from tools.languages import SOURCE_HASH_LINE, source_hash, twin
from tools.languages import TARGET as TARGET_LANG
from tools.markdown import Block, front_matter_lines, split_blocks

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
HAN_RUN = re.compile(f"[{HAN}][{HAN}\u3000-\u303f\uff00-\uffef]*")
HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$", re.M)
INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
DISPLAY_MATH = re.compile(r"(?<!\\)\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])((?:\\.|[^\\$\n])+?)(?<![\s\\])\$(?!\d)")
ADMONITION = re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+([\w-]+)", re.M)
IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*<?([^)\s>]*)[^)]*\)|<img\b[^>]*?\bsrc=[\"']([^\"']*)", re.I)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
LINK_TARGET = re.compile(r"\]\([^)\n]*\)")
ZH_SPAN = re.compile(r"<span\b[^>]*\blang=[\"']zh[^\"']*[\"'][^>]*>.*?</span>", re.S | re.I)
QUOTATIONS = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|「[^」\n]*」|‘[^’\n]*’|(?<![\w'])'[^'\n]*'(?!\w)")
GLOSSARY_HEADERS = {"中文", "chinese"}


@dataclass(frozen=True)
class Page:
    """One Markdown page, split into text and fence blocks."""

    path: str  # repo-relative, e.g. docs/en/open-or-closed/index.md
    text: str
    blocks: tuple[Block, ...]
    front_matter_end: int  # number of lines taken by the YAML front matter (0 if none)

    @classmethod
    def parse(cls, path: str, text: str) -> Page:
        return cls(path, text, tuple(split_blocks(text, path=path)), front_matter_lines(text))

    @classmethod
    def load(cls, root: Path, path: str) -> Page:
        # bytes → str without newline translation, so the text hashes to the file's bytes
        # read_page: UTF-8 or an error at the line; never a FIFO or a huge file
        from tools.programs import read_page

        return cls.parse(path, read_page(root / path, path))

    @property
    def front_matter(self) -> str:
        return "".join(self.text.splitlines(keepends=True)[1 : max(self.front_matter_end - 1, 1)])

    def prose(self) -> list[tuple[int, str]]:
        """(first line, text) of each text block, with front matter and inline code blanked."""
        result = []
        for block in self.blocks:
            if block.kind != "text":
                continue
            text = INLINE_CODE.sub(_blank, block.text)
            skip = self.front_matter_end - block.line + 1
            if skip > 0:
                lines = text.splitlines(keepends=True)
                text = "".join(_blank_text(x) for x in lines[:skip]) + "".join(lines[skip:])
            result.append((block.line, text))
        return result

    def fences(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "fence"]


@dataclass(frozen=True)
class Item:
    """One countable thing on a page (a heading, a formula, a table, …)."""

    line: int
    key: Hashable  # what aligns it with its twin (language-neutral where possible)
    text: str


# ---------------------------------------------------------------- feature extraction


def _blank_text(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _blank(match: re.Match[str]) -> str:
    return _blank_text(match.group(0))


def _line_of(block_line: int, text: str, offset: int) -> int:
    return block_line + text.count("\n", 0, offset)


def _without_math(text: str) -> str:
    return INLINE_MATH.sub(_blank, DISPLAY_MATH.sub(_blank, text))


def headings(page: Page) -> list[Item]:
    items = []
    for line, text in page.prose():
        for m in HEADING.finditer(_without_math(text)):
            title = text[m.start(2) : m.end(2)] if m.group(2) else ""
            number = re.search(r"\d+(?:\.\d+)*", title)
            level = len(m.group(1))
            items.append(Item(_line_of(line, text, m.start()), (level, number and number.group(0)), title))
    return items


def display_formulas(page: Page) -> list[Item]:
    return [
        Item(_line_of(line, text, m.start()), re.sub(r"\s+", "", m.group(1)), m.group(0))
        for line, text in page.prose()
        for m in DISPLAY_MATH.finditer(text)
    ]


def inline_formulas(page: Page) -> list[Item]:
    items = []
    for line, text in page.prose():
        masked = DISPLAY_MATH.sub(_blank, text)
        for m in INLINE_MATH.finditer(masked):
            items.append(Item(_line_of(line, text, m.start()), re.sub(r"\s+", "", m.group(1)), m.group(0)))
    return items


def diagrams(page: Page) -> list[Item]:
    return [Item(b.line, "mermaid", b.info) for b in page.fences() if b.lang == "mermaid"]


def _cell_spans(line: str) -> list[tuple[int, int]]:
    """Character spans of the cells of a Markdown table row."""
    pipes = [m.start() for m in re.finditer(r"(?<!\\)\|", line)]
    stripped = line.strip()
    start = 0
    if stripped.startswith("|"):
        start, pipes = pipes[0] + 1, pipes[1:]
    spans = []
    for pipe in pipes:
        spans.append((start, pipe))
        start = pipe + 1
    if line[start:].strip():
        spans.append((start, len(line)))
    return spans


def _is_delimiter_row(line: str) -> bool:
    if "|" not in line:
        return False
    cells = [line[a:b] for a, b in _cell_spans(line)]
    return bool(cells) and all(re.fullmatch(r"\s*:?-+:?\s*", c) for c in cells)


def _tables(text: str) -> list[tuple[int, int]]:
    """(header line index, last row index) of each table in a text block."""
    lines = text.split("\n")
    found = []
    for index in range(1, len(lines)):
        if _is_delimiter_row(lines[index]) and "|" in lines[index - 1]:
            end = index
            while end + 1 < len(lines) and "|" in lines[end + 1] and lines[end + 1].strip():
                end += 1
            found.append((index - 1, end))
    return found


def tables(page: Page) -> list[Item]:
    items = []
    for line, text in page.prose():
        lines = text.split("\n")
        for header, _ in _tables(text):
            items.append(Item(line + header, len(_cell_spans(lines[header])), lines[header].strip()))
    return items


def admonitions(page: Page) -> list[Item]:
    return [
        Item(_line_of(line, text, m.start()), m.group(1), m.group(0).strip())
        for line, text in page.prose()
        for m in ADMONITION.finditer(text)
    ]


def images(page: Page) -> list[Item]:
    return [
        Item(_line_of(line, text, m.start()), os.path.basename(m.group(1) or m.group(2) or ""), m.group(0))
        for line, text in page.prose()
        for m in IMAGE.finditer(text)
    ]


def exec_cells(page: Page) -> list[Block]:
    return [b for b in page.fences() if b.attrs.get("exec")]


def _mask_allowed_chinese(text: str) -> str:
    text = _without_math(HTML_COMMENT.sub(_blank, text))  # formulas are not prose
    text = ZH_SPAN.sub(_blank, text)
    text = LINK_TARGET.sub(_blank, text)
    lines = text.split("\n")
    for header, end in _tables(text):
        spans = _cell_spans(lines[header])
        columns = [
            i
            for i, (a, b) in enumerate(spans)
            if lines[header][a:b].strip().strip("*_").strip().lower() in GLOSSARY_HEADERS
        ]
        for row in range(header, end + 1):
            row_spans = _cell_spans(lines[row])
            for column in columns:
                if column < len(row_spans):
                    a, b = row_spans[column]
                    lines[row] = lines[row][:a] + " " * (b - a) + lines[row][b:]
    return QUOTATIONS.sub(_blank, "\n".join(lines))


def chinese_in_prose(page: Page) -> list[tuple[int, str]]:
    """(line, first Han run) of each prose line with Chinese text.

    Allowed: code, formulas, link targets, HTML comments, quotations, <span lang="zh">, and the
    cells of table columns headed "中文" / "Chinese" (a glossary).
    """
    found: dict[int, str] = {}
    for line, text in page.prose():
        masked = _mask_allowed_chinese(text)
        for m in HAN_RUN.finditer(masked):
            found.setdefault(_line_of(line, masked, m.start()), m.group(0))
    return sorted(found.items())


# ---------------------------------------------------------------- source_hash front matter


def recorded_hash(page: Page) -> str | None:
    m = SOURCE_HASH_LINE.search(page.front_matter)
    return m.group(1) if m else None


def pages(root: Path, lang: str) -> set[str]:
    """Paths of the Markdown pages under docs/<lang>/, relative to it."""
    base = root / "docs" / lang
    return {p.relative_to(base).as_posix() for p in base.rglob("*.md")} if base.is_dir() else set()


def stamp(root: Path, page: str) -> str:
    """Write the current hash of the zh original into the en page's front matter (atomically)."""
    given = Path(page)
    if given.is_absolute() and given.is_relative_to(root.resolve()):
        given = given.relative_to(root.resolve())
    rel = given.as_posix()
    if rel.startswith(f"docs/{SOURCE_LANG}/"):
        rel = twin(rel, TARGET_LANG)
    if not rel.startswith(f"docs/{TARGET_LANG}/") or not rel.endswith(".md"):
        raise ValueError(
            f"{page}: not an English page; pass a path like docs/{TARGET_LANG}/<folder>/<page>.md"
        )
    en_path = root / rel
    zh_path = root / twin(rel, SOURCE_LANG)
    if not en_path.is_file() or not zh_path.is_file():
        missing = en_path if not en_path.is_file() else zh_path
        raise ValueError(f"{page}: cannot stamp, {missing.relative_to(root)} does not exist")
    digest = source_hash(zh_path.read_bytes())
    text = en_path.read_bytes().decode("utf-8")  # keep the page's line endings
    end = front_matter_lines(text)
    lines = text.splitlines(keepends=True)
    entry = f"source_hash: {digest}\n"
    if end == 0:
        new = f"---\n{entry}---\n\n{text}"
    else:
        body = "".join(lines[1 : end - 1])
        if SOURCE_HASH_LINE.search(body):
            body = SOURCE_HASH_LINE.sub(entry.rstrip("\n"), body, count=1)
        else:
            body += entry
        new = lines[0] + body + "".join(lines[end - 1 :])
    write_text_atomic(en_path, new)
    return digest
