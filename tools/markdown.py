"""Split Markdown into text and fenced-code blocks, and join them back byte for byte.

`join_blocks(split_blocks(text)) == text` for every input, including CRLF line endings,
a missing final newline and Chinese text. Only top-level fences are blocks: a fence inside
a longer fence (```` ````markdown ```` containing ```` ``` ````) stays part of its body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Block",
    "MarkdownError",
    "front_matter",
    "front_matter_lines",
    "join_blocks",
    "parse_attrs",
    "split_blocks",
    "strip_front_matter",
    "title",
]

# An opening fence: any indentation (fences inside list items are indented), then three or
# more backticks or tildes, then the info string. A backtick fence's info has no backtick.
_OPEN_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>`{3,}|~{3,})(?P<info>.*)$")
# YAML front matter: a first line "---", then anything, then a line "---" or "...".
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<yaml>.*?\r?\n)??(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
# An ATX level-1 heading; an optional closing run of # must follow a space (CommonMark).
_H1 = re.compile(r"^ {0,3}# +(?P<title>.+?)(?:[ \t]+#+)?[ \t]*\r?$", re.M)
# key="value" or key='value' pairs of an info string.
_ATTR = re.compile(r"""(?P<key>[A-Za-z_][\w-]*)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""")


class MarkdownError(Exception):
    """An error located in a Markdown file: `str(e) == f"{path}:{line}: {message}"`."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Block:
    """A run of plain text lines, or one fenced code block (fence lines included)."""

    kind: Literal["text", "fence"]
    text: str  # exact source text, including fence lines and line endings
    line: int  # 1-based line of the block's first line
    indent: str = ""  # leading whitespace of the opening fence line
    marker: str = ""  # the fence characters, e.g. "```", "````", "~~~"
    info: str = ""  # the info string after the marker
    lang: str = ""  # first word of info
    attrs: dict[str, str] = field(default_factory=dict)  # key="value" pairs of info
    body: str = ""  # code between the fence lines, de-indented, "\n" line endings


def parse_attrs(info: str) -> dict[str, str]:
    """Return the key="value" pairs of a fence info string (later keys win)."""
    return {m["key"]: m["dq"] if m["dq"] is not None else m["sq"] for m in _ATTR.finditer(info)}


def _lines(text: str) -> list[str]:
    """Split on "\\n" only (not on the other characters str.splitlines knows), keeping ends."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _strip_eol(line: str) -> str:
    return line.rstrip("\n").rstrip("\r")


def _open_fence(line: str) -> re.Match[str] | None:
    match = _OPEN_FENCE.match(_strip_eol(line))
    if match and match["marker"][0] == "`" and "`" in match["info"]:
        return None  # CommonMark: a backtick fence's info string has no backtick
    return match


def _closes(line: str, marker: str) -> bool:
    stripped = _strip_eol(line).strip()
    run = len(stripped) - len(stripped.lstrip(marker[0]))
    return run >= len(marker) and stripped == marker[0] * run


def _dedent(line: str, indent: str) -> str:
    if line.startswith(indent):
        return line[len(indent) :]
    return line.lstrip(" \t")  # a less indented line inside an indented fence


def split_blocks(text: str, *, path: str = "<string>") -> list[Block]:
    """Split Markdown into blocks; raise MarkdownError for a fence that is never closed."""
    lines = _lines(text)
    blocks: list[Block] = []
    pending: list[str] = []  # text lines not yet emitted
    pending_start = 1
    i = 0
    while i < len(lines):
        match = _open_fence(lines[i])
        if match is None:
            if not pending:
                pending_start = i + 1
            pending.append(lines[i])
            i += 1
            continue
        if pending:
            blocks.append(Block(kind="text", text="".join(pending), line=pending_start))
            pending = []
        marker = match["marker"]
        end = i + 1
        while end < len(lines) and not _closes(lines[end], marker):
            end += 1
        if end == len(lines):
            raise MarkdownError(
                path,
                i + 1,
                f"unterminated code fence {marker!r}: add a closing {marker} line "
                "(at least as long as the opening one) after the code",
            )
        indent, info = match["indent"], match["info"].strip()
        body_lines = [_strip_eol(_dedent(line, indent)) + "\n" for line in lines[i + 1 : end]]
        blocks.append(
            Block(
                kind="fence",
                text="".join(lines[i : end + 1]),
                line=i + 1,
                indent=indent,
                marker=marker,
                info=info,
                lang=info.split()[0] if info.split() else "",
                attrs=parse_attrs(info),
                body="".join(body_lines),
            )
        )
        i = end + 1
    if pending:
        blocks.append(Block(kind="text", text="".join(pending), line=pending_start))
    return blocks


def join_blocks(blocks: list[Block]) -> str:
    """Inverse of split_blocks: concatenate the blocks' exact source text."""
    return "".join(block.text for block in blocks)


def front_matter(text: str) -> str:
    """The YAML between a page's front matter lines ("" when the page has none)."""
    match = _FRONT_MATTER.match(text)
    return (match["yaml"] or "") if match else ""


def front_matter_lines(text: str) -> int:
    """How many lines the front matter takes, its closing line included (0 when none)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return 0
    block = match.group(0)
    return block.count("\n") + (0 if block.endswith("\n") else 1)


def strip_front_matter(text: str) -> str:
    """The page without its front matter."""
    match = _FRONT_MATTER.match(text)
    return text[match.end() :] if match else text


def title(text: str) -> str | None:
    """The page's first level-1 heading outside front matter and code fences, or None."""
    body = strip_front_matter(text)
    try:
        prose = "".join(block.text for block in split_blocks(body) if block.kind == "text")
    except MarkdownError:
        prose = body  # an unterminated fence: the scanner reports it elsewhere
    found = _H1.search(prose)
    return found["title"] if found else None
