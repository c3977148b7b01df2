"""Content fidelity: does the Chinese edition keep everything of its source article?

The rules (each finding names a file and line):

- every heading of the source has a heading with the same text in the edition (any level);
- every source line with 6+ Han characters keeps them, in order, in the edition's prose;
- every Latin-script word of a source line (names, API identifiers: "PyTorch", "from_pretrained")
  is kept: a line anchored by its Han characters keeps its words, as often, in the same place of
  the edition; any other line's words appear somewhere in the article;
- the edition has at least as many Han characters as its source.

"The edition's prose" is the article's docs/zh pages without front matter, fenced code, HTML
comments and the editors' admonitions (titles starting 编者), so an editors' note never makes up
for a dropped author sentence. `python -m tools fidelity` runs the rules (tests/test_fidelity.py
calls the same functions); `python -m tools codeblocks` prints the code-block manifests
(`sources/code-blocks/NNN.yml`, checked by tests/test_code_blocks.py) as one Markdown table.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from tools.checks.parity_page import HAN as HAN_RANGES
from tools.markdown import Block, split_blocks

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
PUNCTUATION = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "、": ",",
        "。": ".",
        "【": "[",
        "】": "]",
        "《": "<",
        "》": ">",
        "〈": "<",
        "〉": ">",
        "—": "-",
        "–": "-",
    }
)


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
    prose = "".join(
        line if kept else "\n" for line, kept in zip(lines, keep, strict=True)
    )  # line numbers survive
    return re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), prose, flags=re.S)


def edition_han(root: Path, number: str) -> int:
    return sum(
        han_count(edition_prose(p.read_text(encoding="utf-8"), path=p.relative_to(root).as_posix()))
        for p in zh_pages(root, number)
    )


# ---------------------------------------------------------------- the fidelity rules

# A label heading whose content is the next source line ("### 文章标题" + title): the title
# itself becomes the article's H1.
TITLE_LABELS = {"文章标题"}
MIN_HAN = 6  # source lines with fewer Han characters are too short to locate in the edition
# A Latin-script word: letters and digits, joined by - _ . inside the word ("GPT-3",
# "from_pretrained", "huggingface.co"); it starts with a letter, so "2.1" is not a word.
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*")
# Chat-template markers the generator left in the sources ("…再次感谢！<|im_end|>"): not the
# authors' words, and removed by the edition (About page, "Clean Markdown").
GENERATION_MARKER = re.compile(r"<\|im_(?:start|end)\|>")


@dataclass(frozen=True)
class Finding:
    """One breach of a fidelity rule, located at path:line."""

    rule: str  # "heading" | "text" | "latin" | "length"
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


def latin_words(text: str) -> Counter[str]:
    """The Latin-script words of a text and how often each occurs (case kept)."""
    return Counter(LATIN_WORD.findall(text))


@dataclass
class Edition:
    """The prose of an article's zh pages, concatenated, with a map back to path:line."""

    pages: list[tuple[str, str]]  # (path, page text)

    def __post_init__(self) -> None:
        self.prose = ""
        self.starts: list[tuple[int, str]] = []  # (offset in prose, path) of each page
        for path, page in self.pages:
            self.starts.append((len(self.prose), path))
            text = edition_prose(page, path=path)
            self.prose += text if text.endswith("\n") or not text else text + "\n"
        self.han_at = [m.start() for m in HAN.finditer(self.prose)]
        self.signature = "".join(self.prose[i] for i in self.han_at)
        self.words = latin_words(self.prose)

    def where(self, offset: int) -> tuple[str, int]:
        """(path, 1-based line) of an offset of the concatenated prose."""
        start, path = next((s, p) for s, p in reversed(self.starts) if s <= offset)
        return path, self.prose.count("\n", start, offset) + 1

    def occurrences(self, signature: str) -> list[tuple[int, int]]:
        """(start, end) prose offsets of each place the Han signature occurs.

        The span runs from the first to the last Han character and is widened to the Latin text
        around them on the same line, up to the neighbouring Han characters: "使用PyTorch" and
        "PyTorch是…" keep their words inside the span.
        """
        found, index = [], self.signature.find(signature)
        while index >= 0 and signature:
            first, last = self.han_at[index], self.han_at[index + len(signature) - 1]
            line_start = self.prose.rfind("\n", 0, first) + 1
            line_end = self.prose.find("\n", last)
            line_end = len(self.prose) if line_end < 0 else line_end
            before = self.han_at[index - 1] + 1 if index > 0 else 0
            following = index + len(signature)
            after = self.han_at[following] if following < len(self.han_at) else len(self.prose)
            found.append((max(line_start, before), min(line_end, after)))
            index = self.signature.find(signature, index + 1)
        return found


def article_edition(root: Path, number: str) -> Edition:
    return Edition(
        [(p.relative_to(root).as_posix(), p.read_text(encoding="utf-8")) for p in zh_pages(root, number)]
    )


def source_lines(text: str, *, path: str = "<source>") -> list[tuple[int, str]]:
    """(line, text) of every non-empty source line outside fenced code, headings included."""
    return [
        (block.line + offset, line.strip())
        for block in _blocks(text, path)
        if block.kind == "text"
        for offset, line in enumerate(block.text.splitlines())
        if line.strip()
    ]


def missing_headings(source_path: str, source: str, edition: Edition) -> list[Finding]:
    """Source headings with no edition heading of the same (normalised) text."""
    available = Counter(
        normalise_heading(text) for path, page in edition.pages for _, text in page_headings(page, path=path)
    )
    everything = normalise_heading("".join(page for _, page in edition.pages))
    lines = source.splitlines()
    missing = []
    for heading in source_headings(source, path=source_path):
        wanted = normalise_heading(heading.text)
        parts = re.split(r"[:：]", heading.text, maxsplit=1)
        label, rest = (parts[0], parts[1]) if len(parts) == 2 else (heading.text, "")
        if heading.text.strip() in TITLE_LABELS:
            title = next((line for line in lines[heading.line :] if line.strip()), "")
            wanted = normalise_heading(title)
        if available[wanted]:
            available[wanted] -= 1
            continue
        label_form = normalise_heading(label)
        if rest.strip() and available[label_form] and normalise_heading(rest) in everything:
            available[label_form] -= 1  # "## 关键词：A，B" written as "## 关键词" + "A，B"
            continue
        missing.append(
            Finding(
                "heading",
                source_path,
                heading.line,
                f"no heading {'#' * heading.level} {heading.text} in the edition",
            )
        )
    return missing


def closest_line(signature: str, edition: Edition) -> str:
    """path:line and text of the edition line whose Han characters best match, if any is close."""
    best, where = 0.6, ""
    for path, page in edition.pages:
        for number, line in enumerate(edition_prose(page, path=path).splitlines(), start=1):
            candidate = han_signature(line)
            matcher = difflib.SequenceMatcher(None, signature, candidate, autojunk=False)
            if len(candidate) >= MIN_HAN and matcher.quick_ratio() > best and matcher.ratio() > best:
                best, where = matcher.ratio(), f"{path}:{number}: {line.strip()[:80]}"
    return where


def missing_text(source_path: str, source: str, edition: Edition, *, closest: bool = True) -> list[Finding]:
    """Source lines of 6+ Han characters whose Han characters are not in the edition, in order."""
    missing = []
    for line, text in source_paragraphs(source, path=source_path, min_han=MIN_HAN):
        signature = han_signature(text)
        if signature in edition.signature:
            continue
        near = closest_line(signature, edition) if closest else ""
        missing.append(
            Finding(
                "text",
                source_path,
                line,
                f"not kept word for word: {text[:80]}" + (f"\n      closest: {near}" if near else ""),
            )
        )
    return missing


def missing_latin_words(source_path: str, source: str, edition: Edition) -> list[Finding]:
    """Latin-script words of source lines that the edition drops.

    A line with 6+ Han characters is located by them; the edition must keep the line's words,
    at least as often, at one of the places where those Han characters occur, and a line the
    source repeats needs as many such places. (A line whose Han characters are missing is
    reported by missing_text.) Any other line's words must each appear somewhere in the edition.
    """
    findings = []
    used: dict[str, set[int]] = {}  # signature → starts of the edition places already matched
    for line, text in source_lines(source, path=source_path):
        words = latin_words(GENERATION_MARKER.sub("", re.sub(r"^#{1,6}[ \t]+", "", text)))
        if not words:
            continue
        signature = han_signature(text)
        if len(signature) < MIN_HAN:
            lost = sorted(w for w in words if not edition.words[w])
            if lost:
                findings.append(
                    Finding(
                        "latin", source_path, line, f"{', '.join(lost)} nowhere in the edition: {text[:80]}"
                    )
                )
            continue
        spans = edition.occurrences(signature)
        if not spans:
            continue
        taken = used.setdefault(signature, set())
        best: tuple[list[str], int] | None = None
        for start, end in spans:
            kept = latin_words(edition.prose[start:end])
            lost = sorted(
                w + (f" ({n - kept[w]} of {n})" if n > 1 else "") for w, n in words.items() if kept[w] < n
            )
            if not lost and start not in taken:
                taken.add(start)
                best = None
                break
            if best is None or len(lost) < len(best[0]) or (start not in taken and not best[0]):
                best = (lost, start)
        if best is not None:
            page, page_line = edition.where(best[1])
            what = (
                f"drops {', '.join(best[0])}"
                if best[0]
                else "keeps this repeated line's words fewer times than the source repeats it"
            )
            findings.append(Finding("latin", page, page_line, f"{what} of {source_path}:{line}: {text[:80]}"))
    return findings


def length_shortfall(source_path: str, source: str, edition: Edition, folder: str) -> list[Finding]:
    """The edition's Han characters (prose only) against the source's (outside code)."""
    wanted, got = source_han(source, path=source_path), len(edition.signature)
    if got >= wanted:
        return []
    return [
        Finding(
            "length",
            f"docs/zh/{folder}/",
            0,
            f"{got} Han characters outside code and editors' admonitions, fewer than the "
            f"{wanted} of {source_path} outside code blocks: text of the source is missing",
        )
    ]


def check_article(root: Path, number: str, *, closest: bool = True) -> list[Finding]:
    """Every fidelity finding for one source article (ARTICLES key)."""
    source = source_path(root, number)
    rel = source.relative_to(root).as_posix()
    text = source.read_text(encoding="utf-8")
    edition = article_edition(root, number)
    if not edition.pages:
        return [
            Finding("text", f"docs/zh/{ARTICLES[number]}/", 0, f"no pages yet: write the edition of {rel}")
        ]
    return (
        missing_headings(rel, text, edition)
        + missing_text(rel, text, edition, closest=closest)
        + missing_latin_words(rel, text, edition)
        + length_shortfall(rel, text, edition, ARTICLES[number])
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
    parser.add_argument(
        "--link-prefix", default="", help="prefix of the page links, e.g. ../ (default: none)"
    )


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
