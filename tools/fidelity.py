"""Content fidelity: does the Chinese edition keep everything of its source article?

Helpers for tests/test_fidelity.py and tests/test_code_blocks.py: the source articles' headings
and fenced code blocks, Han-character counts of source and edition, and the code-block manifests
(`sources/code-blocks/NNN.yml`). `python -m tools codeblocks` prints the manifests as one Markdown
table (for the About page).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from tools.markdown import Block, split_blocks
from tools.parity_page import HAN as HAN_RANGES

# Section folder of each source article (the table in CONTRIBUTING.md).
ARTICLES: dict[str, str] = {
    "000": "open-or-closed",
    "001": "commercialization",
    "002": "llm-fundamentals",
    "003": "model-comparison",
    "004": "choosing-an-llm",
}
FATES = ("executable", "shell", "illustrative", "diagram")
SHELL_LANGS = ("bash", "sh", "shell", "console")
# Admonitions written by the editors, not translated from the source (their text does not count).
EDITORIAL_TITLE = re.compile(r'^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+[\w-]+[ \t]+"编者[^"]*"')

HAN = re.compile(f"[{HAN_RANGES}]")
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
# A heading glued to the end of the previous paragraph ("…的指导。### 2. 核心概念与联系"), a
# conversion defect of the sources: it is a real chapter heading all the same.
GLUED_HEADING = re.compile(r"(?<=[。！？.!?）)」”])[ \t]*(#{1,6})[ \t]+(\S.*?)[ \t]*$")
# Chinese punctuation that NFKC leaves alone.
PUNCTUATION = str.maketrans({
    "“": '"', "”": '"', "‘": "'", "’": "'", "、": ",", "。": ".", "【": "[", "】": "]",
    "《": "<", "》": ">", "〈": "<", "〉": ">", "—": "-", "–": "-",
})


@dataclass(frozen=True)
class SourceHeading:
    line: int
    level: int
    text: str


@dataclass(frozen=True)
class SourceFence:
    line: int  # 1-based line of the opening fence
    lang: str
    body: str  # de-indented code


def source_path(root: Path, number: str) -> Path:
    matches = sorted((root / "sources").glob(f"{number}_*.txt"))
    if len(matches) != 1:
        raise FileNotFoundError(
            f"sources/{number}_*.txt: expected exactly one source article, found {len(matches)}"
        )
    return matches[0]


def zh_pages(root: Path, number: str) -> list[Path]:
    return sorted((root / "docs" / "zh" / ARTICLES[number]).rglob("*.md"))


def _blocks(text: str, path: str) -> list[Block]:
    return split_blocks(text, path=path)


def source_headings(text: str, *, path: str = "<source>") -> list[SourceHeading]:
    """ATX headings outside code, including headings glued to the end of a paragraph line."""
    found = []
    for block in _blocks(text, path):
        if block.kind != "text":
            continue
        for offset, line in enumerate(block.text.splitlines()):
            m = ATX_HEADING.match(line) or GLUED_HEADING.search(line)
            if m:
                found.append(SourceHeading(block.line + offset, len(m.group(1)), m.group(2)))
    return found


def source_fences(text: str, *, path: str = "<source>") -> list[SourceFence]:
    return [SourceFence(b.line, b.lang, b.body) for b in _blocks(text, path) if b.kind == "fence"]


def normalise_heading(text: str) -> str:
    """Heading text compared across editions: no markup, unified punctuation, no spaces."""
    text = re.sub(r"\{[#.:][^}]*\}\s*$", "", text.strip())  # attr_list {#anchor}
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](link) → text
    text = unicodedata.normalize("NFKC", text.strip("#").strip()).translate(PUNCTUATION)
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"\s+", "", text).casefold()
    return text.rstrip(":")


def page_headings(text: str, *, path: str) -> list[tuple[int, str]]:
    """(line, text) of the ATX headings of an edition page, outside code."""
    found = []
    for block in _blocks(text, path):
        if block.kind == "text":
            for offset, line in enumerate(block.text.splitlines()):
                m = ATX_HEADING.match(line)
                if m:
                    found.append((block.line + offset, m.group(2)))
    return found


def heading_alternatives(text: str) -> set[str]:
    """Accepted normalised forms of a source heading.

    "关键词：A，B" may become a heading "关键词" followed by the text; the caller checks the text.
    """
    full = normalise_heading(text)
    label = re.split(r"[:：]", text, maxsplit=1)[0]
    return {full, normalise_heading(label)} if label != text else {full}


def source_paragraphs(text: str, *, path: str = "<source>", min_han: int = 6) -> list[tuple[int, str]]:
    """(line, text) of each source prose line with at least min_han Han characters.

    A heading glued to the end of the line is cut off (it is checked as a heading).
    """
    found = []
    for block in _blocks(text, path):
        if block.kind != "text":
            continue
        for offset, line in enumerate(block.text.splitlines()):
            if ATX_HEADING.match(line):
                continue
            glued = GLUED_HEADING.search(line)
            prose = line[: glued.start()] if glued else line
            if han_count(prose) >= min_han:
                found.append((block.line + offset, prose.strip()))
    return found


def han_signature(text: str) -> str:
    """Only the Han characters of a text: survives re-wrapping, punctuation and markup changes."""
    return "".join(HAN.findall(text))


def han_count(text: str) -> int:
    return len(HAN.findall(text))


def source_han(text: str, *, path: str = "<source>") -> int:
    """Han characters of a source article outside fenced code."""
    return sum(han_count(b.text) for b in _blocks(text, path) if b.kind == "text")


def edition_prose(text: str, *, path: str) -> str:
    """An edition page's text as counted for fidelity, with its line numbers kept.

    Front matter, fenced code, HTML comments and editorial admonitions become empty lines.
    """
    lines = text.splitlines(keepends=True)
    keep = [True] * len(lines)
    for block in _blocks(text, path):
        if block.kind == "fence":
            first = block.line - 1
            for index in range(first, first + block.text.count("\n") + (not block.text.endswith("\n"))):
                keep[index] = False
    if lines and lines[0].rstrip() == "---":  # YAML front matter is not shown
        for index in range(1, len(lines)):
            if lines[index].rstrip() in ("---", "..."):
                keep[: index + 1] = [False] * (index + 1)
                break
    index = 0
    while index < len(lines):
        if EDITORIAL_TITLE.match(lines[index]):
            indent = len(lines[index]) - len(lines[index].lstrip())
            keep[index] = False
            index += 1
            while index < len(lines) and (
                not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip()) > indent
            ):
                keep[index] = False
                index += 1
            continue
        index += 1
    prose = "".join(line if kept else "\n" for line, kept in zip(lines, keep))  # line numbers survive
    return re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), prose, flags=re.S)


def edition_han(root: Path, number: str) -> int:
    return sum(
        han_count(edition_prose(p.read_text(encoding="utf-8"), path=p.relative_to(root).as_posix()))
        for p in zh_pages(root, number)
    )


def load_manifest(root: Path, number: str) -> list[dict]:
    path = root / "sources" / "code-blocks" / f"{number}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list) or not all(isinstance(entry, dict) for entry in data):
        raise ValueError(f"{path.relative_to(root)}: expected a YAML list of mappings (see CONTRIBUTING.md)")
    return data


def _cell(value: object) -> str:
    return str(value or "").replace("|", "\\|").replace("\n", " ")


def render_code_block_table(root: Path, *, link_prefix: str = "") -> str:
    """Every source code block and what became of it, as a Markdown table.

    Page links are `link_prefix + page` (page is relative to docs/zh/).
    """
    rows = [
        "| Article | Line | Language | Fate | Snippet / reason | Page |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for number in ARTICLES:
        if not (root / "sources" / "code-blocks" / f"{number}.yml").is_file():
            continue
        for entry in sorted(load_manifest(root, number), key=lambda e: e.get("line", 0)):
            detail = f"`{entry['snippet']}`" if entry.get("snippet") else _cell(entry.get("reason"))
            page = entry.get("page", "")
            lang = _cell(entry.get("lang")) or "–"
            rows.append(
                f"| {number} | {entry.get('line', '')} | {lang} | {_cell(entry.get('fate'))} "
                f"| {detail} | [{page}]({link_prefix}{page}) |"
            )
    return "\n".join(rows) + "\n"


HELP = "print every source code block and its fate (sources/code-blocks/*.yml) as a Markdown table"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the subcommand (`python -m tools` adds --root)."""
    parser.add_argument("--link-prefix", default="",
                        help="prefix of the page links, e.g. ../ (default: none)")


def run(args: argparse.Namespace) -> int:
    try:
        sys.stdout.write(render_code_block_table(args.root, link_prefix=args.link_prefix))
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools codeblocks", description=HELP)
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: .)")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
