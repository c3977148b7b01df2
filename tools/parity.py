"""Language parity checker: every docs/zh page and its docs/en twin say the same things.

`python -m tools parity` compares each page pair (headings, formulas, diagrams, tables,
admonitions, images, snippet placeholders, executable snippets by Python AST), looks for
Chinese characters in English prose, and checks that each en page records which version of
its zh original it translates (`source_hash` in the front matter). `--stamp` updates that hash.

Each check is a small function over two `Page` records and returns `Issue`s, so tests can
exercise one rule at a time.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import hashlib
import io
import os
import re
import sys
import tempfile
import tokenize
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tools.markdown import Block, MarkdownError, split_blocks

SOURCE_LANG = "zh"
TARGET_LANG = "en"
HASH_LENGTH = 12

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
HAN_RUN = re.compile(f"[{HAN}][{HAN}\u3000-\u303f\uff00-\uffef]*")
HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$", re.M)
INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
DISPLAY_MATH = re.compile(r"(?<!\\)\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])((?:\\.|[^\\$\n])+?)(?<![\s\\])\$(?!\d)")
ADMONITION = re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+([\w-]+)", re.M)
IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*<?([^)\s>]*)[^)]*\)|<img\b[^>]*?\bsrc=[\"']([^\"']*)", re.I)
PLACEHOLDER = re.compile(r"<!--\s*snippet:\s*([A-Za-z0-9_-]+)\s*-->")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
LINK_TARGET = re.compile(r"\]\([^)\n]*\)")
ZH_SPAN = re.compile(r"<span\b[^>]*\blang=[\"']zh[^\"']*[\"'][^>]*>.*?</span>", re.S | re.I)
QUOTATIONS = re.compile(
    r"\"[^\"\n]*\"|“[^”\n]*”|「[^」\n]*」|‘[^’\n]*’|(?<![\w'])'[^'\n]*'(?!\w)"
)
GLOSSARY_HEADERS = {"中文", "chinese"}
SOURCE_HASH_LINE = re.compile(r"^source_hash:[ \t]*[\"']?([^\"'\s]*)[\"']?[ \t]*$", re.M)


@dataclass(frozen=True)
class Issue:
    severity: Literal["error", "warning"]
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Page:
    """One Markdown page, split into text and fence blocks."""

    path: str  # repo-relative, e.g. docs/en/open-or-closed/index.md
    text: str
    blocks: tuple[Block, ...]
    front_matter_end: int  # number of lines taken by the YAML front matter (0 if none)

    @classmethod
    def parse(cls, path: str, text: str) -> Page:
        return cls(path, text, tuple(split_blocks(text, path=path)), _front_matter_lines(text))

    @classmethod
    def load(cls, root: Path, path: str) -> Page:
        # bytes → str without newline translation, so the text hashes to the file's bytes
        return cls.parse(path, (root / path).read_bytes().decode("utf-8"))

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


def _front_matter_lines(text: str) -> int:
    lines = text.splitlines()
    if not lines or lines[0].rstrip() != "---":
        return 0
    for index, line in enumerate(lines[1:], start=2):
        if line.rstrip() in ("---", "..."):
            return index
    return 0


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


def placeholders(page: Page) -> list[Item]:
    return [
        Item(_line_of(line, text, m.start()), m.group(1), m.group(0))
        for line, text in page.prose()
        for m in PLACEHOLDER.finditer(text)
    ]


def exec_cells(page: Page) -> list[Block]:
    return [b for b in page.fences() if b.attrs.get("exec")]


# ---------------------------------------------------------------- checks over a page pair


def _first_unmatched(zh: Sequence[Item], en: Sequence[Item]) -> tuple[str, Item] | None:
    """The first item (in document order) that has no counterpart in the other language."""
    matcher = difflib.SequenceMatcher(a=[i.key for i in zh], b=[i.key for i in en], autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal" or a1 - a0 == b1 - b0:  # same count in this stretch: keys merely differ
            continue
        return ("zh", zh[a0]) if a1 - a0 > b1 - b0 else ("en", en[b0])
    return None


def _count_check(
    name: str, extract: Callable[[Page], list[Item]]
) -> Callable[[Page, Page], list[Issue]]:
    def check(zh: Page, en: Page) -> list[Issue]:
        zh_items, en_items = extract(zh), extract(en)
        if len(zh_items) == len(en_items):
            return []
        where = _first_unmatched(zh_items, en_items)
        side, item = where if where else ("en", (en_items or zh_items)[-1])
        page = zh if side == "zh" else en
        other = en if side == "zh" else zh
        return [
            Issue(
                "error",
                page.path,
                item.line,
                f"{len(zh_items)} {name} in {zh.path} but {len(en_items)} in {en.path}; "
                f"this one ({item.text.strip()[:60]!r}) has no counterpart in {other.path}: "
                f"add it there or remove it here",
            )
        ]

    check.__name__ = f"check_{name.replace(' ', '_')}"
    return check


check_display_formulas = _count_check("display formulas ($$…$$)", display_formulas)
check_inline_formulas = _count_check("inline formulas ($…$)", inline_formulas)
check_diagrams = _count_check("mermaid diagrams", diagrams)
check_tables = _count_check("tables", tables)
check_admonitions = _count_check("admonitions (!!!/???)", admonitions)
check_images = _count_check("images", images)


def check_headings(zh: Page, en: Page) -> list[Issue]:
    zh_items, en_items = headings(zh), headings(en)
    zh_levels = [i.key[0] for i in zh_items]  # type: ignore[index]
    en_levels = [i.key[0] for i in en_items]  # type: ignore[index]
    if zh_levels == en_levels:
        return []
    summary = "same heading levels but in a different order"
    for level in range(1, 7):
        if zh_levels.count(level) != en_levels.count(level):
            summary = (
                f"{zh_levels.count(level)} level-{level} headings in {zh.path} "
                f"but {en_levels.count(level)} in {en.path}"
            )
            break
    where = _first_unmatched(zh_items, en_items)
    if where is None:  # same numbering, different levels: the first heading whose level differs
        index = next(i for i, (a, b) in enumerate(zip(zh_levels, en_levels)) if a != b)
        where = ("en", en_items[index])
    side, item = where
    page = zh if side == "zh" else en
    other = en if side == "zh" else zh
    marks = "#" * item.key[0]  # type: ignore[index]
    return [
        Issue(
            "error",
            page.path,
            item.line,
            f"heading structure differs: {summary}; first heading without counterpart in "
            f"{other.path}: {marks} {item.text}",
        )
    ]


def check_placeholders(zh: Page, en: Page) -> list[Issue]:
    return _check_id_sequence("snippet placeholders <!-- snippet: ID -->", placeholders(zh), placeholders(en), zh, en)


def _check_id_sequence(name: str, zh_items: list[Item], en_items: list[Item], zh: Page, en: Page) -> list[Issue]:
    zh_ids, en_ids = [i.key for i in zh_items], [i.key for i in en_items]
    if zh_ids == en_ids:
        return []
    for index, (a, b) in enumerate(zip(zh_ids, en_ids)):
        if a != b:
            return [Issue("error", en.path, en_items[index].line,
                          f"{name}: found {b!r} where {zh.path}:{zh_items[index].line} has {a!r} "
                          f"(ids and order must match: {zh_ids} vs {en_ids})")]
    if len(zh_ids) > len(en_ids):
        missing = zh_items[len(en_ids)]
        return [Issue("error", zh.path, missing.line,
                      f"{name}: {missing.key!r} has no counterpart in {en.path} (add it there in the same place)")]
    extra = en_items[len(zh_ids)]
    return [Issue("error", en.path, extra.line,
                  f"{name}: {extra.key!r} has no counterpart in {zh.path} (remove it or add it to the zh page)")]


def _code_lines(code: str) -> list[tuple[int, str]]:
    """(1-based line, tokens joined) of each line with code, comments and layout ignored."""
    lines: dict[int, list[str]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                            tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            lines.setdefault(tok.start[0], []).append(tok.string)
    except (tokenize.TokenError, SyntaxError):
        return [(n, line.strip()) for n, line in enumerate(code.splitlines(), 1) if line.strip()]
    return [(n, " ".join(toks)) for n, toks in sorted(lines.items())]


def _ast_dump(code: str) -> str | None:
    try:
        return ast.dump(ast.parse(code))
    except SyntaxError:
        return None


def check_snippets(zh: Page, en: Page) -> list[Issue]:
    zh_cells, en_cells = exec_cells(zh), exec_cells(en)
    as_items = lambda cells: [Item(b.line, b.attrs["exec"], b.info) for b in cells]  # noqa: E731
    issues = _check_id_sequence('executable snippets ```python exec="ID"', as_items(zh_cells), as_items(en_cells), zh, en)
    if issues:
        return issues
    for zh_cell, en_cell in zip(zh_cells, en_cells):
        if _ast_dump(zh_cell.body) == _ast_dump(en_cell.body) and _ast_dump(zh_cell.body) is not None:
            continue
        if _ast_dump(en_cell.body) is None or _ast_dump(zh_cell.body) is None:
            bad, cell = (en, en_cell) if _ast_dump(en_cell.body) is None else (zh, zh_cell)
            error = _syntax_error(cell.body)
            issues.append(Issue("error", bad.path, cell.line + error[0],
                                f"snippet {cell.attrs['exec']!r}: Python syntax error: {error[1]}"))
            continue
        zh_lines, en_lines = _code_lines(zh_cell.body), _code_lines(en_cell.body)
        for index in range(max(len(zh_lines), len(en_lines))):
            a = zh_lines[index] if index < len(zh_lines) else (0, "<end of cell>")
            b = en_lines[index] if index < len(en_lines) else (len(en_cell.body.splitlines()) + 1, "<end of cell>")
            if a[1] != b[1]:
                zh_text = zh_cell.body.splitlines()[a[0] - 1].strip() if a[0] else a[1]
                en_text = en_cell.body.splitlines()[b[0] - 1].strip() if b[0] <= len(en_cell.body.splitlines()) else b[1]
                issues.append(Issue(
                    "error", en.path, en_cell.line + b[0],
                    f"snippet {en_cell.attrs['exec']!r} is not the same program as {zh.path}:"
                    f"{zh_cell.line + a[0]} (only comments may differ): en has {en_text!r}, zh has {zh_text!r}",
                ))
                break
        else:  # same tokens, different AST: should not happen, report the cell
            issues.append(Issue("error", en.path, en_cell.line + 1,
                                f"snippet {en_cell.attrs['exec']!r}: Python AST differs from {zh.path}:{zh_cell.line + 1}"))
    return issues


def _syntax_error(code: str) -> tuple[int, str]:
    try:
        ast.parse(code)
    except SyntaxError as error:
        return error.lineno or 1, error.msg
    return 1, "unknown"


def _mask_for_han(text: str) -> str:
    text = _without_math(HTML_COMMENT.sub(_blank, text))  # formulas are not prose
    text = ZH_SPAN.sub(_blank, text)
    text = LINK_TARGET.sub(_blank, text)
    lines = text.split("\n")
    for header, end in _tables(text):
        spans = _cell_spans(lines[header])
        columns = [i for i, (a, b) in enumerate(spans)
                   if lines[header][a:b].strip().strip("*_").strip().lower() in GLOSSARY_HEADERS]
        for row in range(header, end + 1):
            row_spans = _cell_spans(lines[row])
            for column in columns:
                if column < len(row_spans):
                    a, b = row_spans[column]
                    lines[row] = lines[row][:a] + " " * (b - a) + lines[row][b:]
    return QUOTATIONS.sub(_blank, "\n".join(lines))


def check_chinese_in_english(en: Page) -> list[Issue]:
    issues = []
    for line, text in en.prose():
        masked = _mask_for_han(text)
        reported: set[int] = set()
        for m in HAN_RUN.finditer(masked):
            at = _line_of(line, masked, m.start())
            if at in reported:
                continue
            reported.add(at)
            issues.append(Issue("error", en.path, at,
                                f"Chinese text in English prose: {m.group(0)!r}; translate it, or mark a "
                                f"deliberate quotation with quotes or <span lang=\"zh\">…</span>"))
    return issues


def source_hash(zh_bytes: bytes) -> str:
    return hashlib.sha256(zh_bytes).hexdigest()[:HASH_LENGTH]


def recorded_hash(page: Page) -> str | None:
    m = SOURCE_HASH_LINE.search(page.front_matter)
    return m.group(1) if m else None


def check_source_hash(zh: Page, en: Page) -> list[Issue]:
    recorded = recorded_hash(en)
    stamp = f"python -m tools parity --stamp {en.path}"
    if recorded is None:
        return [Issue("error", en.path, 1,
                      f"front matter has no `source_hash`; when the page is a full translation of "
                      f"{zh.path}, run `{stamp}`")]
    if recorded != source_hash(zh.text.encode("utf-8")):
        line = 1 + en.text[: en.text.find("source_hash:")].count("\n")
        return [Issue("warning", en.path, line,
                      f"{en.path} translates an older version of {zh.path} (changed since); "
                      f"update the translation, then run `{stamp}`")]
    return []


PAIR_CHECKS: tuple[Callable[[Page, Page], list[Issue]], ...] = (
    check_headings, check_display_formulas, check_inline_formulas, check_diagrams, check_tables,
    check_admonitions, check_images, check_placeholders, check_snippets, check_source_hash,
)


def check_pair(zh: Page, en: Page) -> list[Issue]:
    issues = [issue for check in PAIR_CHECKS for issue in check(zh, en)]
    return issues + check_chinese_in_english(en)


# ---------------------------------------------------------------- whole site


def _pages(root: Path, lang: str) -> set[str]:
    base = root / "docs" / lang
    return {p.relative_to(base).as_posix() for p in base.rglob("*.md")} if base.is_dir() else set()


def check_site(root: Path) -> tuple[list[Issue], int]:
    """All issues for docs/zh ↔ docs/en under root, and the number of complete pairs."""
    zh_pages, en_pages = _pages(root, SOURCE_LANG), _pages(root, TARGET_LANG)
    issues = []
    for rel in sorted(zh_pages - en_pages):
        issues.append(Issue("error", f"docs/{SOURCE_LANG}/{rel}", 1,
                            f"has no English twin: create docs/{TARGET_LANG}/{rel}"))
    for rel in sorted(en_pages - zh_pages):
        issues.append(Issue("error", f"docs/{TARGET_LANG}/{rel}", 1,
                            f"has no Chinese original docs/{SOURCE_LANG}/{rel}: rename or remove it"))
    pairs = sorted(zh_pages & en_pages)
    for rel in pairs:
        try:
            zh = Page.load(root, f"docs/{SOURCE_LANG}/{rel}")
            en = Page.load(root, f"docs/{TARGET_LANG}/{rel}")
        except MarkdownError as error:
            issues.append(Issue("error", error.path, error.line, str(error.message)))
            continue
        issues.extend(check_pair(zh, en))
    return issues, len(pairs)


def stamp(root: Path, page: str) -> str:
    """Write the current hash of the zh original into the en page's front matter (atomically)."""
    rel = Path(page).as_posix()
    if rel.startswith(f"docs/{SOURCE_LANG}/"):
        rel = f"docs/{TARGET_LANG}/" + rel[len(f"docs/{SOURCE_LANG}/"):]
    if not rel.startswith(f"docs/{TARGET_LANG}/") or not rel.endswith(".md"):
        raise ValueError(f"{page}: not an English page; pass a path like docs/{TARGET_LANG}/<article>/<page>.md")
    en_path = root / rel
    zh_path = root / "docs" / SOURCE_LANG / rel[len(f"docs/{TARGET_LANG}/"):]
    if not en_path.is_file() or not zh_path.is_file():
        missing = en_path if not en_path.is_file() else zh_path
        raise ValueError(f"{page}: cannot stamp, {missing.relative_to(root)} does not exist")
    digest = source_hash(zh_path.read_bytes())
    text = en_path.read_text(encoding="utf-8")
    end = _front_matter_lines(text)
    lines = text.splitlines(keepends=True)
    entry = f"source_hash: {digest}\n"
    if end == 0:
        new = f"---\n{entry}---\n\n{text}"
    else:
        body = "".join(lines[1 : end - 1])
        body = SOURCE_HASH_LINE.sub(entry.rstrip("\n"), body, count=1) if SOURCE_HASH_LINE.search(body) else body + entry
        new = lines[0] + body + "".join(lines[end - 1 :])
    _atomic_write(en_path, new)
    return digest


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: .)")
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings (stale translations) too")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--stamp", nargs="+", metavar="PAGE",
                       help="record the current zh hash in these en pages (after updating their translation)")
    group.add_argument("--stamp-all", action="store_true", help="stamp every en page (after a full translation)")


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    if args.stamp or args.stamp_all:
        targets: Iterable[str] = args.stamp or [
            f"docs/{TARGET_LANG}/{rel}" for rel in sorted(_pages(root, TARGET_LANG) & _pages(root, SOURCE_LANG))
        ]
        try:
            for target in targets:
                print(f"{target}: source_hash {stamp(root, target)}")
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 0
    issues, pairs = check_site(root)
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity == "warning"]
    for issue in errors + warnings:
        print(issue, file=sys.stderr)
    print(f"parity: {pairs} page pairs, {len(errors)} errors, {len(warnings)} warnings", file=sys.stderr)
    return 1 if errors or (warnings and args.strict) else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools parity", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
