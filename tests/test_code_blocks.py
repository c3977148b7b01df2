"""Every fenced code block of a source article has a recorded fate, and the edition honours it.

sources/code-blocks/NNN.yml lists each block of sources/NNN_*.txt once (by its opening-fence line):
executable → its snippet id is on the page; shell → the page shows the command in a ```bash block;
illustrative → the page shows the code unchanged plus an editors' comment box (`!!! note "编者说明…"`, the
style sheet's kind; tests/test_style.py checks its type) saying why it is not run;
diagram → the page has a mermaid diagram. Field reference: CONTRIBUTING.md, "Code-block manifest".
"""

from __future__ import annotations

import re
from pathlib import Path
from textwrap import dedent

import pytest
import yaml

from tools.checks import fidelity
from tools.markdown import split_blocks

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = [pytest.param(number, id=f"{number}-{folder}") for number, folder in fidelity.ARTICLES.items()]
# An editors' comment box (any admonition type here: tests/test_style.py checks that it is a `note`).
COMMENT_ADMONITION = re.compile(r'^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+[\w-]+[ \t]+"编者说明', re.M)


def manifest(number: str) -> tuple[str, list[dict]]:
    rel = f"sources/code-blocks/{number}.yml"
    if not (ROOT / rel).is_file():
        pytest.fail(
            f"{rel} is missing: list every fenced code block of "
            f"{fidelity.source_path(ROOT, number).relative_to(ROOT)} (format: CONTRIBUTING.md)",
            pytrace=False,
        )
    try:
        return rel, fidelity.load_manifest(ROOT, number)
    except (ValueError, yaml.YAMLError) as error:
        pytest.fail(f"{rel}: {error}", pytrace=False)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def where(rel: str, entry: dict) -> str:
    return f"{rel} (line: {entry.get('line')})"


def manifest_problems(
    rel: str, entries: list[dict], fences: list[fidelity.SourceFence], source: str
) -> list[str]:
    by_line = {fence.line: fence for fence in fences}
    problems = []
    seen: dict[object, int] = {}
    for entry in entries:
        line = entry.get("line")
        seen[line] = seen.get(line, 0) + 1
        if seen[line] == 2:
            problems.append(f"{where(rel, entry)}: listed more than once; keep one entry per block")
        fence = by_line.get(line)  # type: ignore[arg-type]
        if fence is None:
            problems.append(
                f"{where(rel, entry)}: {source}:{line} does not open a fenced code block "
                f"(blocks open at lines {sorted(by_line)})"
            )
            continue
        if str(entry.get("lang") or "") != fence.lang:
            problems.append(
                f"{where(rel, entry)}: lang is {entry.get('lang')!r}, the source fence says {fence.lang!r}"
            )
        fate = entry.get("fate")
        if fate not in fidelity.FATES:
            problems.append(f"{where(rel, entry)}: fate {fate!r} is not one of {', '.join(fidelity.FATES)}")
        if fate == "executable" and not re.fullmatch(r"[a-z0-9-]+", str(entry.get("snippet") or "")):
            problems.append(
                f"{where(rel, entry)}: an executable block needs `snippet: <id>` (lowercase [a-z0-9-]+)"
            )
        if fate in ("shell", "illustrative") and not str(entry.get("reason") or "").strip():
            problems.append(
                f"{where(rel, entry)}: a {fate} block needs `reason:` (why it is not executed, in English)"
            )
        if not entry.get("page"):
            problems.append(f"{where(rel, entry)}: `page:` is missing (relative to docs/zh/)")
    for fence in fences:
        if fence.line not in seen:
            first = next((x.strip() for x in fence.body.splitlines() if x.strip()), "")
            problems.append(
                f"{rel}: no entry for {source}:{fence.line} (```{fence.lang}, starts {first[:50]!r}); "
                f"add `- line: {fence.line}` with lang, fate and page"
            )
    return problems


@pytest.mark.parametrize("number", ARTICLES)
def test_manifest_lists_every_source_block_once(number: str) -> None:
    source = fidelity.source_path(ROOT, number)
    rel, entries = manifest(number)
    fences = fidelity.source_fences(
        source.read_text(encoding="utf-8"), path=source.relative_to(ROOT).as_posix()
    )
    problems = manifest_problems(rel, entries, fences, source.relative_to(ROOT).as_posix())
    if problems:
        pytest.fail(f"{len(problems)} problem(s) in {rel}:\n  " + "\n  ".join(problems), pytrace=False)


def page_problems(
    rel: str, entry: dict, fence: fidelity.SourceFence | None, *, root: Path = ROOT
) -> list[str]:
    page_rel = f"docs/zh/{entry.get('page')}"
    page = root / page_rel
    if not page.is_file():
        return [f"{where(rel, entry)}: page {page_rel} does not exist"]
    text = page.read_text(encoding="utf-8")
    blocks = [b for b in split_blocks(text, path=page_rel) if b.kind == "fence"]
    fate, snippet = entry.get("fate"), entry.get("snippet")
    if fate == "executable":
        if not any(b.attrs.get("exec") == snippet for b in blocks):
            return [f'{where(rel, entry)}: {page_rel} has no ```python {{exec="{snippet}"}} fence']
    elif fate == "shell" and fence is not None:
        shown = [squash(b.body) for b in blocks if b.lang in fidelity.SHELL_LANGS]
        lines = [re.sub(r"(^|\s)#.*$", "", x) for x in fence.body.splitlines()]  # shell comments may differ
        commands = [squash(x) for x in lines if x.strip()]
        absent = [c for c in commands if not any(c in body for body in shown)]
        if absent:
            return [f"{where(rel, entry)}: {page_rel} has no ```bash block showing {absent[0]!r}"]
    elif fate == "illustrative" and fence is not None:
        problems = []
        if squash(fence.body) not in squash(text):
            first = next((x.strip() for x in fence.body.splitlines() if x.strip()), "")
            problems.append(
                f"{where(rel, entry)}: {page_rel} does not show the source code unchanged "
                f"(whitespace aside; it starts {first[:50]!r})"
            )
        if not COMMENT_ADMONITION.search(text):
            problems.append(
                f'{where(rel, entry)}: {page_rel} has no editors\' comment box (`!!! note "编者说明"`) saying why the code '
                f"is not run"
            )
        return problems
    elif fate == "diagram" and not any(b.lang == "mermaid" for b in blocks):
        return [f"{where(rel, entry)}: {page_rel} has no ```mermaid diagram"]
    return []


@pytest.mark.parametrize("number", ARTICLES)
def test_manifest_fates_are_honoured_on_the_pages(number: str) -> None:
    source = fidelity.source_path(ROOT, number)
    rel, entries = manifest(number)
    fences = {f.line: f for f in fidelity.source_fences(source.read_text(encoding="utf-8"))}
    problems = [
        p for entry in entries for p in page_problems(rel, entry, fences.get(int(entry.get("line") or 0)))
    ]
    if problems:
        pytest.fail(
            f"{len(problems)} code block(s) of {rel} not realised as promised:\n  " + "\n  ".join(problems),
            pytrace=False,
        )


SOURCE = "Text\n```python\nx = 1\n```\n\n1. Install:\n   ```bash\n   pip install torch  # CPU\n   ```\n"


def test_manifest_problems_name_the_entry_and_the_fix() -> None:
    fences = fidelity.source_fences(SOURCE)
    entries = [
        {"line": 2, "lang": "bash", "fate": "run", "page": "a.md"},
        {"line": 2, "lang": "python"},
        {"line": 9, "lang": "", "fate": "diagram", "page": "a.md"},
    ]
    assert manifest_problems("m.yml", entries, fences, "s.txt") == [
        "m.yml (line: 2): lang is 'bash', the source fence says 'python'",
        "m.yml (line: 2): fate 'run' is not one of executable, shell, illustrative, diagram",
        "m.yml (line: 2): listed more than once; keep one entry per block",
        "m.yml (line: 2): fate None is not one of executable, shell, illustrative, diagram",
        "m.yml (line: 2): `page:` is missing (relative to docs/zh/)",
        "m.yml (line: 9): s.txt:9 does not open a fenced code block (blocks open at lines [2, 7])",
        "m.yml: no entry for s.txt:7 (```bash, starts 'pip install torch  # CPU'); "
        "add `- line: 7` with lang, fate and page",
    ]


@pytest.mark.parametrize(
    ("entry", "page", "problem"),
    [
        ({"fate": "executable", "snippet": "demo"}, '```python {exec="demo"}\nx = 1\n```\n', None),
        ({"fate": "executable", "snippet": "demo"}, "```python\nx = 1\n```\n", "has no ```python"),
        ({"fate": "shell", "line": 7}, "```bash\npip install torch\n```\n", None),
        ({"fate": "shell", "line": 7}, "```text\npip install torch\n```\n", "no ```bash block showing"),
        (
            {"fate": "illustrative", "line": 2},
            '!!! note "编者说明：未执行的代码"\n    …\n\n```python\nx  =  1\n```\n',
            None,
        ),
        (
            {"fate": "illustrative", "line": 2},
            '```python\nx = 2\n```\n!!! note "编者说明"\n',
            "does not show the source code",
        ),
        (
            {"fate": "illustrative", "line": 2},
            '```python\nx = 1\n```\n!!! note "说明"\n',
            "no editors' comment box",
        ),
        ({"fate": "diagram"}, "```mermaid\ngraph TD; A-->B\n```\n", None),
        ({"fate": "diagram"}, "```text\ngraph TD; A-->B\n```\n", "no ```mermaid diagram"),
    ],
)
def test_page_must_realise_the_fate(tmp_path: Path, entry: dict, page: str, problem: str | None) -> None:
    (tmp_path / "docs/zh").mkdir(parents=True)
    (tmp_path / "docs/zh/a.md").write_text(page, encoding="utf-8")
    fences = {f.line: f for f in fidelity.source_fences(SOURCE)}
    found = page_problems("m.yml", {**entry, "page": "a.md"}, fences.get(entry.get("line", 2)), root=tmp_path)
    assert (found == []) if problem is None else (len(found) == 1 and problem in found[0]), found
    assert page_problems("m.yml", {**entry, "page": "b.md"}, None, root=tmp_path) == [
        f"m.yml (line: {entry.get('line')}): page docs/zh/b.md does not exist"
    ]


def test_code_block_table_lists_every_entry(tmp_path: Path) -> None:
    (tmp_path / "sources/code-blocks").mkdir(parents=True)
    (tmp_path / "sources/code-blocks/000.yml").write_text(
        dedent(
            """\
        - line: 111
          lang: python
          fate: executable
          snippet: transformer-encoder
          page: open-or-closed/index.md
        - line: 32
          lang: mermaid
          fate: diagram
          page: open-or-closed/index.md
        - line: 7
          lang: bash
          fate: shell
          page: open-or-closed/index.md
          reason: "pip | install"
        """
        ),
        encoding="utf-8",
    )
    table = fidelity.render_code_block_table(tmp_path, link_prefix="../")
    assert table.splitlines()[2:] == [
        "| 000 | 7 | bash | shell | pip \\| install | [open-or-closed/index.md](../open-or-closed/index.md) |",
        "| 000 | 32 | mermaid | diagram |  | [open-or-closed/index.md](../open-or-closed/index.md) |",
        "| 000 | 111 | python | executable | `transformer-encoder` | [open-or-closed/index.md](../open-or-closed/index.md) |",
    ]
