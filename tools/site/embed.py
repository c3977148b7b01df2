"""Embed recorded outputs into a page's Markdown, and build the execution report table.

Pure: the caller supplies the recordings' states and the URLs (see `PageContext`), so tests run
without MkDocs or PyTorch. Cells are matched to recordings by order: the k-th fence of a snippet
id on a page is cell k of its recording (the zh and en pages hold the same program).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from tools.markdown import Block, split_blocks
from tools.programs import is_exec_fence as _is_exec_info
from tools import profiles
from tools.recordings import ERROR, SHOW, NOTE, RecordingState, consequence
from tools.site.render import (
    FigureUrl,
    cell_output_html,
    downloads_html,
    fence_anchor,
    format_date,
    markdown_text,
    problem_admonition,
    refresh_command,
    text,
)

__all__ = [
    "DownloadLinks",
    "PageContext",
    "Problem",
    "ReportRow",
    "embed_outputs",
    "is_exec_fence",
    "report_markdown",
]

REPORT_MARKER = "<!-- snippet-report -->"
_BRACES = re.compile(r"\s*\{[^{}]*\}\s*$")


@dataclass(frozen=True)
class Problem:
    """A missing or stale recording found while rendering a page (an error under --strict)."""

    page: str
    line: int
    snippet_id: str
    profile: str
    message: str

    def __str__(self) -> str:
        fix = f"Refresh it with `{refresh_command(self.snippet_id, self.profile)}`"
        if not profiles.get(self.profile).required:
            fix += (
                f" on a GPU machine, or leave it out with "
                f"`git rm -r recordings/{self.profile}/{self.snippet_id}.json "
                f"recordings/{self.profile}/{self.snippet_id}`"
            )
        return f"{self.page}:{self.line}: snippet '{self.snippet_id}': {self.message}. {fix}"


@dataclass(frozen=True)
class DownloadLinks:
    py_url: str | None = None
    ipynb_url: str | None = None
    notebook_url: str | None = None


@dataclass(frozen=True)
class PageContext:
    page: str  # path shown in messages, e.g. "docs/en/a/b.md"
    lang: str
    states: Callable[[str], Sequence[RecordingState]]  # snippet id → its cpu state, then any cuda state
    figure_url: FigureUrl
    downloads: Callable[[str], DownloadLinks] = field(default=lambda _id: DownloadLinks())


def is_exec_fence(block: Block) -> bool:
    return _is_exec_info(block) and "exec" in block.attrs


def _plain_fence(block: Block, *, title: str) -> str:
    """The fence with its {exec=…} options replaced by a title: ```python title="id.py"."""
    info = _BRACES.sub("", block.info).strip() + f' title="{title}"'
    first, newline, rest = block.text.partition("\n")
    return f"{block.indent}{block.marker}{info}{newline}{rest}"


def _checked_states(
    states: Sequence[RecordingState], *, fences: int, page: str, line: int, snippet_id: str
) -> tuple[list[RecordingState], list[Problem]]:
    """The states to show (or to explain on the page), a cell-count mismatch marked stale, and
    the problems to report; what a state leads to is `consequence`'s decision."""
    checked: list[RecordingState] = []
    problems: list[Problem] = []
    for state in states:
        if state.usable and state.recording is not None:
            recorded = len(state.recording.cells)
            if recorded != fences:
                state = replace(
                    state,
                    state="code-changed",
                    reason=f"it has {recorded} cells but the page has {fences} fences",
                )
        effect = consequence(state)
        if effect not in (SHOW, NOTE, ERROR):
            continue  # an optional profile's missing or stale recording: not shown
        if effect == ERROR:
            what = {"missing": "no recording", "broken": f"broken {state.profile} recording"}.get(
                state.state, f"stale {state.profile} recording"
            )
            problems.append(Problem(page, line, snippet_id, state.profile, f"{what} ({state.reason})"))
        checked.append(state)
    return checked, problems


def embed_outputs(markdown: str, ctx: PageContext) -> tuple[str, list[Problem]]:
    """Rewrite exec fences to plain ones and insert each cell's recorded output after it."""
    blocks = split_blocks(markdown, path=ctx.page)
    fence_counts = Counter(b.attrs["exec"] for b in blocks if is_exec_fence(b))
    if not fence_counts:
        return markdown, []
    seen: Counter[str] = Counter()
    states: dict[str, list[RecordingState]] = {}
    problems: list[Problem] = []
    out: list[str] = []
    for block in blocks:
        if not is_exec_fence(block):
            out.append(block.text)
            continue
        snippet_id = block.attrs["exec"]
        seen[snippet_id] += 1
        index, count = seen[snippet_id], fence_counts[snippet_id]
        if index == 1:
            states[snippet_id], found = _checked_states(
                ctx.states(snippet_id), fences=count, page=ctx.page, line=block.line, snippet_id=snippet_id
            )
            problems += found
            out.append(f'\n<div class="snippet-anchor" id="{fence_anchor(snippet_id)}"></div>\n\n')
        title = f"{snippet_id}.py" if count == 1 else f"{snippet_id}.py ({index}/{count})"
        fence = _plain_fence(block, title=title)
        out.append(fence if fence.endswith("\n") else fence + "\n")
        fragments: list[str] = []
        if index == 1:
            fragments += [
                problem_admonition(s, snippet_id=snippet_id, lang=ctx.lang)
                for s in states[snippet_id]
                if not s.usable
            ]
        output = cell_output_html(
            states[snippet_id],
            snippet_id=snippet_id,
            cell_index=index,
            last=index == count,
            figure_url=ctx.figure_url,
            lang=ctx.lang,
        )
        if output:
            fragments.append(output)
        if index == 1:
            links = ctx.downloads(snippet_id)
            bar = downloads_html(
                snippet_id,
                py_url=links.py_url,
                ipynb_url=links.ipynb_url,
                notebook_url=links.notebook_url,
                lang=ctx.lang,
            )
            if bar:
                fragments.append(bar)
        out.extend(f"\n{fragment}\n" for fragment in fragments)
        if fragments:
            out.append("\n")
    return "".join(out), problems


@dataclass(frozen=True)
class ReportRow:
    snippet_id: str
    page_link: str  # Markdown link target, relative to the report page, e.g. "a/b.md#snippet-x"
    page_label: str
    state: RecordingState


def _cell(value: str) -> str:
    """Text safe inside a Markdown table cell (and its HTML attributes): recordings are data."""
    return markdown_text(value)


def report_markdown(rows: Sequence[ReportRow], *, lang: str) -> str:
    """A summary line and a Markdown table with one row per (snippet, recorded profile)."""
    cpu = Counter(r.state.status for r in rows if profiles.get(r.state.profile).required)
    gpu = sum(1 for r in rows if not profiles.get(r.state.profile).required and r.state.recording is not None)
    summary = text(
        "report_summary",
        lang=lang,
        total=sum(cpu.values()),
        fresh=cpu["fresh"],
        stale=cpu["stale"],
        missing=cpu["missing"],
        gpu=gpu,
    )
    if not rows:
        return summary + "\n"
    headers = text("report_headers", lang=lang).split("|")
    lines = [summary, "", "| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    # Each cell starts with its column's name, shown only where the table is stacked into one
    # block per snippet (a phone: extra CSS in snippets.css), where no header row is shown.
    labels = [f'<span class="snippet-report__label">{_cell(header)}</span>' for header in headers]
    for row in rows:
        state = row.state
        prov = state.recording.provenance if state.recording is not None else None
        status = (
            f'<span class="snippet-status snippet-status--{state.status}" title="{_cell(state.reason)}">'
            f"{text(state.status, lang=lang)}</span>"
        )
        cells = [
            f'<code class="snippet-id">{_cell(row.snippet_id)}</code>',
            f"[{_cell(row.page_label)}]({row.page_link})",
            profiles.get(state.profile).label,
            status,
            f"{prov.duration_s:.1f} s" if prov else "—",
            _cell(prov.device if prov else "—"),
            _cell(format_date(prov.date) if prov else "—"),
        ]
        lines.append(
            "| " + " | ".join(label + cell for label, cell in zip(labels, cells, strict=True)) + " |"
        )
    return "\n".join(lines) + "\n"
