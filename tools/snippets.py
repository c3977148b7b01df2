"""Collect the executable fences of docs/<lang>/**/*.md into programs, one per snippet id.

A fence ```` ```python exec="ID" ```` is one cell; the fences of one id on one page form a
program that runs top to bottom. Every problem is a SnippetError naming the Markdown file and
line, what is wrong and how to fix it.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from tools.markdown import Block, MarkdownError, split_blocks

__all__ = [
    "DEFAULT_TIMEOUT", "Cell", "Program", "SnippetError", "canonical_dump", "code_hash",
    "collect_programs", "compare_languages", "scan_all", "scan_programs",
]

DEFAULT_TIMEOUT = 120.0
ID_PATTERN = re.compile(r"[a-z0-9-]+")
_EXEC_WORD = re.compile(r"(?<![\w-])exec(?![\w-])")


class SnippetError(MarkdownError):
    """A snippet problem located in a Markdown file: `str(e) == f"{path}:{line}: {message}"`."""


@dataclass(frozen=True)
class Cell:
    snippet_id: str
    page: str  # repository-relative path, e.g. "docs/zh/llm-fundamentals/03-algorithms.md"
    line: int  # 1-based page line of the fence's first code line
    code: str


@dataclass(frozen=True)
class Program:
    id: str
    page: str
    cells: tuple[Cell, ...]
    timeout: float


def read_page(path: Path, rel: str) -> str:
    """Read a page as UTF-8; a decoding error names the line and byte offset."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SnippetError(
            rel, line, f"not valid UTF-8 at byte {error.start}; re-save the file as UTF-8"
        ) from None


def _imports_tools(tree: ast.Module) -> ast.stmt | None:
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        if any(name == "tools" or name.startswith("tools.") for name in names):
            return node  # type: ignore[return-value]
    return None


def _fence_cell(block: Block, rel: str) -> tuple[str, Cell]:
    """Validate one exec fence and return (id, cell); raise SnippetError if it is malformed."""
    if "exec" not in block.attrs:
        raise SnippetError(rel, block.line, f'malformed exec attribute in "{block.info}"; '
                           'write it as exec="snippet-id"')
    snippet_id = block.attrs["exec"]
    if block.indent:
        raise SnippetError(rel, block.line, f'executable fence "{snippet_id}" must start at '
                           "column 0 (not inside a list, admonition or tab); un-indent it")
    if block.lang != "python":
        raise SnippetError(rel, block.line, f'only python fences can carry exec="{snippet_id}" '
                           f'(this one is "{block.lang}"); use ```python')
    if not ID_PATTERN.fullmatch(snippet_id):
        raise SnippetError(rel, block.line, f'invalid snippet id "{snippet_id}"; use lowercase '
                           "letters, digits and hyphens ([a-z0-9-]+)")
    cell = Cell(snippet_id=snippet_id, page=rel, line=block.line + 1, code=block.body)
    try:
        tree = compile("\n" * (cell.line - 1) + cell.code, rel, "exec", ast.PyCF_ONLY_AST,
                       dont_inherit=True)
    except SyntaxError as error:
        raise SnippetError(rel, error.lineno or cell.line,
                           f'syntax error in snippet "{snippet_id}": {error.msg}') from None
    bad_import = _imports_tools(tree)
    if bad_import is not None:
        raise SnippetError(rel, bad_import.lineno, f'snippet "{snippet_id}" imports tools/; '
                           "snippets must run on their own, copy the code you need")
    return snippet_id, cell


def _timeout(block: Block, rel: str) -> float:
    raw = block.attrs["timeout"]
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise SnippetError(rel, block.line, f'timeout="{raw}" is not a positive number of seconds')
    return value


def scan_programs(root: Path, *, lang: str = "zh") -> tuple[dict[str, Program], list[SnippetError]]:
    """Collect the programs of docs/<lang>/ and every problem found on the way (not just the first)."""
    errors: list[SnippetError] = []
    cells: dict[str, list[Cell]] = {}
    timeouts: dict[str, float] = {}
    for path in sorted((root / "docs" / lang).rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        try:
            blocks = split_blocks(read_page(path, rel), path=rel)
        except MarkdownError as error:
            errors.append(SnippetError(error.path, error.line, error.message))
            continue
        for block in blocks:
            if block.kind != "fence" or not _EXEC_WORD.search(block.info):
                continue
            try:
                snippet_id, cell = _fence_cell(block, rel)
                first = cells.get(snippet_id, [None])[0]
                if first is not None and first.page != rel:
                    raise SnippetError(rel, block.line, f'snippet id "{snippet_id}" is already used '
                                       f"on {first.page}:{first.line - 1}; ids are unique per "
                                       "language, rename one of them")
                if "timeout" in block.attrs:
                    if first is not None:
                        raise SnippetError(rel, block.line, f'put timeout= on the first fence of '
                                           f'"{snippet_id}" (line {first.line - 1}), not here')
                    timeouts[snippet_id] = _timeout(block, rel)
            except SnippetError as error:
                errors.append(error)
                continue
            cells.setdefault(snippet_id, []).append(cell)
    programs = {
        snippet_id: Program(id=snippet_id, page=group[0].page, cells=tuple(group),
                            timeout=timeouts.get(snippet_id, DEFAULT_TIMEOUT))
        for snippet_id, group in cells.items()
    }
    return programs, errors


def collect_programs(root: Path, *, lang: str = "zh") -> dict[str, Program]:
    """Programs of docs/<lang>/**/*.md by id, in page order; raise the first SnippetError."""
    programs, errors = scan_programs(root, lang=lang)
    if errors:
        raise errors[0]
    return programs


def canonical_dump(node: object) -> str:
    """ast.dump without positions, empty lists and None fields: equal on Python 3.11-3.13."""
    if isinstance(node, ast.AST):
        fields = ((name, getattr(node, name, None)) for name in node._fields)
        inner = ", ".join(f"{name}={canonical_dump(value)}" for name, value in fields
                          if value is not None and value != [])
        return f"{type(node).__name__}({inner})"
    if isinstance(node, list):
        return "[" + ", ".join(canonical_dump(item) for item in node) + "]"
    return repr(node)


def code_hash(program: Program) -> str:
    """sha256 over the cells' ASTs: comments, blank lines and positions do not count."""
    digest = hashlib.sha256()
    for cell in program.cells:
        digest.update(canonical_dump(ast.parse(cell.code)).encode())
        digest.update(b"\0")  # cell boundary: moving code between cells changes the program
    return digest.hexdigest()


def _first_difference(zh: object, en: object, zh_line: int, en_line: int) -> tuple[int, int] | None:
    """Cell-relative lines (zh, en) of the innermost node where two ASTs differ, or None."""
    if type(zh) is not type(en):
        return zh_line, en_line
    if isinstance(zh, ast.AST):
        zh_line, en_line = getattr(zh, "lineno", zh_line), getattr(en, "lineno", en_line)
        for name in zh._fields:
            found = _first_difference(getattr(zh, name, None), getattr(en, name, None), zh_line, en_line)
            if found:
                return found
        return None
    if isinstance(zh, list) and isinstance(en, list):
        for zh_item, en_item in zip(zh, en):
            found = _first_difference(zh_item, en_item, zh_line, en_line)
            if found:
                return found
        if len(zh) == len(en):
            return None
        # The first extra item of the longer list; the last item of the shorter one.
        zh_at = zh[len(en)] if len(zh) > len(en) else (zh[-1] if zh else None)
        en_at = en[len(zh)] if len(en) > len(zh) else (en[-1] if en else None)
        return getattr(zh_at, "lineno", zh_line), getattr(en_at, "lineno", en_line)
    return None if repr(zh) == repr(en) else (zh_line, en_line)


def _source_line(cell: Cell, relative_line: int) -> str:
    lines = cell.code.splitlines()
    return lines[relative_line - 1].strip() if 0 < relative_line <= len(lines) else ""


def _compare_program(zh: Program, en: Program) -> SnippetError | None:
    expected_page = zh.page.replace("docs/zh/", "docs/en/", 1)
    first = en.cells[0]
    if en.page != expected_page:
        return SnippetError(en.page, first.line - 1, f'snippet "{en.id}" belongs on {expected_page} '
                            f"(the twin of {zh.page}); move its fences there")
    for zh_cell, en_cell in zip(zh.cells, en.cells):
        zh_tree, en_tree = ast.parse(zh_cell.code), ast.parse(en_cell.code)
        found = _first_difference(zh_tree, en_tree, 1, 1)
        if found is None:
            continue
        zh_rel, en_rel = found
        return SnippetError(
            en.page, en_cell.line + en_rel - 1,
            f'snippet "{en.id}" differs from {zh.page}:{zh_cell.line + zh_rel - 1}: en has '
            f"`{_source_line(en_cell, en_rel)}` where zh has `{_source_line(zh_cell, zh_rel)}`; "
            "the zh and en fences must be the same program (only comments may differ)")
    if len(zh.cells) != len(en.cells):
        where = en.cells[len(zh.cells)] if len(en.cells) > len(zh.cells) else en.cells[-1]
        return SnippetError(en.page, where.line - 1, f'snippet "{en.id}" has {len(en.cells)} fences '
                            f"here but {len(zh.cells)} on {zh.page}; split the code the same way")
    return None


def compare_languages(zh: dict[str, Program], en: dict[str, Program]) -> list[SnippetError]:
    """Problems between the zh programs (the source) and their en twins."""
    errors = []
    for snippet_id, program in en.items():
        if snippet_id not in zh:
            errors.append(SnippetError(program.page, program.cells[0].line - 1, f'unknown id '
                                       f'"{snippet_id}": docs/zh/ has no fence with this id; use '
                                       "the id of the zh fence this one translates"))
        else:
            error = _compare_program(zh[snippet_id], program)
            if error:
                errors.append(error)
    for snippet_id, program in zh.items():
        if snippet_id not in en:
            twin = program.page.replace("docs/zh/", "docs/en/", 1)
            errors.append(SnippetError(program.page, program.cells[0].line - 1, f'snippet '
                                       f'"{snippet_id}" is missing in English: copy its fences '
                                       f"to {twin} (comments may be translated)"))
    return errors


def scan_all(root: Path) -> tuple[dict[str, Program], list[SnippetError]]:
    """The zh programs plus every problem of docs/zh, docs/en and between the two."""
    zh, errors = scan_programs(root, lang="zh")
    en, en_errors = scan_programs(root, lang="en")
    return zh, errors + en_errors + compare_languages(zh, en)
