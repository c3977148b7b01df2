"""Recorded snippet outputs → HTML fragments for the site's pages.

Pure functions: recordings (tools.recordings.Recording) in, strings out. No MkDocs, no PyTorch. The caller (the MkDocs hook,
or a test with fake recordings) says which recordings exist and whether they are fresh
(`RecordingState`), and how a figure path becomes a URL (`figure_url`).

Everything emitted is raw HTML starting at column 0 and surrounded by blank lines: Python-Markdown
keeps such a block verbatim, whereas raw HTML indented under `=== "Tab"` is re-parsed as Markdown
(`*x*` turns into <em>, blank lines split the <pre>). That is why the CPU/GPU tabs are written
here with pymdownx.tabbed's alternate-style markup instead of `===` syntax.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from tools import languages, profiles
from tools.recordings import PROFILES, Cell, Recording, RecordingState, repair_command

__all__ = [
    "DEFAULT_LANG",
    "PROFILES",
    "RecordingState",
    "cell_output_html",
    "fence_anchor",
    "page_url",
    "downloads_html",
    "figure_alt",
    "format_date",
    "problem_admonition",
    "provenance_line",
    "text",
]


# User-facing strings, one table per site language.
_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "recorded": "记录于 {device}，{date}",
        "duration": "用时 {duration} 秒",
        "commit": "提交 {commit}",
        "figure": "{id} 第 {cell} 段代码的图 {n}",
        "figure_one": "图：{what}",
        "figure_titled": "图：{title}；{what}",
        "figure_panels": "图，{count} 个子图：{what}",
        "figure_titled_panels": "图：{title}；{count} 个子图：{what}",
        "figure_axes_x": "横轴：{x}",
        "figure_axes_y": "纵轴：{y}",
        "figure_axes_join": "，",
        "figure_panel_axes": "{title}（{axes}）",
        "figure_join": "；",
        "figure_scales": "色标：{scales}",
        "no_output": "（此设备上无输出）",
        "downloads": "下载程序 {id}：",
        "download_py": "Python 脚本 (.py)",
        "download_ipynb": "Jupyter 笔记本 (.ipynb)",
        "notebook_page": "在线查看笔记本",
        "missing_title": "缺少运行记录",
        "stale_title": "运行记录已过期",
        "problem_body": "代码片段 `{id}` 的 {profile} 记录{what}：{reason}。"
        "运行 `{command}` 重新生成后再构建。",
        "missing_what": "不存在",
        "stale_what": "已过期",
        "fresh": "最新",
        "stale": "过期",
        "missing": "缺失",
        "broken": "损坏",
        "show_all": "显示全部 {lines} 行输出",
        "report_headers": "代码片段|页面|配置|状态|用时|设备|记录日期",
        "report_summary": "共 {total} 个代码片段（CPU 记录）：{fresh} 个最新，{stale} 个过期，{missing} 个缺失；"
        "另有 {gpu} 个 GPU 记录。",
        "notebook_intro": "本笔记本由网站页面《{title}》中的程序 `{id}` 自动生成，输出为该程序在 CPU 上的运行记录。",
    },
    "en": {
        "recorded": "Recorded on {device}, {date}",
        "duration": "took {duration} s",
        "commit": "commit {commit}",
        "figure": "{id}, figure {n} of code cell {cell}",
        "figure_one": "Figure: {what}",
        "figure_titled": "Figure: {title}; {what}",
        "figure_panels": "Figure with {count} panels: {what}",
        "figure_titled_panels": "Figure: {title}; {count} panels: {what}",
        "figure_axes_x": "x axis: {x}",
        "figure_axes_y": "y axis: {y}",
        "figure_axes_join": "; ",
        "figure_panel_axes": "{title} ({axes})",
        "figure_join": "; ",
        "figure_scales": "color scale: {scales}",
        "no_output": "(no output on this device)",
        "downloads": "Download program {id}:",
        "download_py": "Python script (.py)",
        "download_ipynb": "Jupyter notebook (.ipynb)",
        "notebook_page": "View the notebook",
        "missing_title": "Recorded output missing",
        "stale_title": "Recorded output is stale",
        "problem_body": "The {profile} recording of snippet `{id}` {what}: {reason}. "
        "Run `{command}` to refresh it, then build again.",
        "missing_what": "is missing",
        "stale_what": "is stale",
        "fresh": "fresh",
        "stale": "stale",
        "missing": "missing",
        "broken": "broken",
        "show_all": "Show all {lines} lines of output",
        "report_headers": "Snippet|Page|Profile|Status|Duration|Device|Recorded",
        "report_summary": "{total} snippets (CPU recordings): {fresh} fresh, {stale} stale, {missing} missing; "
        "plus {gpu} GPU recordings.",
        "notebook_intro": "Generated from the program `{id}` of the page “{title}”; the outputs are its recorded "
        "run on CPU.",
    },
}


def text(key: str, *, lang: str, **values: object) -> str:
    """A user-facing string in `lang` (unknown languages fall back to English)."""
    return _TEXT.get(lang, _TEXT["en"])[key].format(**values)


DEFAULT_LANG = languages.DEFAULT  # served at the site root by mkdocs-static-i18n
page_url = languages.page_url


LONG_OUTPUT_LINES = 30  # longer outputs are collapsed to about this height, with "show all"

FigureUrl = Callable[[str, str], str]  # (profile, path relative to recordings/<profile>/) → URL


def refresh_command(snippet_id: str, profile: str) -> str:
    """The command that re-records a snippet (cuda: on the GPU machine)."""
    return repair_command(snippet_id, profile)


def format_date(value: str) -> str:
    """'2026-11-23T05:00:00+00:00' → '2026-11-23' (anything else is shown as written)."""
    return value[:10] if len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-" else value


def device_label(recording: Recording) -> str:
    return recording.provenance.device or recording.profile


def provenance_line(recording: Recording, *, lang: str) -> str:
    """One line saying where, when and with what a recording was made (plain text)."""
    prov = recording.provenance
    parts = [text("recorded", lang=lang, device=device_label(recording), date=format_date(prov.date))]
    for label, value in (("Python", prov.python), ("torch", prov.torch), ("transformers", prov.transformers)):
        if value:
            parts.append(f"{label} {value}")
    parts.append(text("duration", lang=lang, duration=f"{prov.duration_s:.1f}"))
    if prov.commit:
        parts.append(text("commit", lang=lang, commit=prov.commit))
    return " · ".join(parts)


def figure_alt(cell: Cell, n: int, *, snippet_id: str, cell_index: int, lang: str) -> str:
    """Alt text of figure `n` (from 1) of a recorded cell: what the figure says about itself
    (its title, each plot's title and axis labels, its color scales) in the page's language,
    or, for a figure recorded without them, which cell drew it. Plain text: escape it."""
    texts = cell.figure_text
    entry = texts[n - 1] if texts is not None and 0 < n <= len(texts) else None
    plain = text("figure", lang=lang, id=snippet_id, cell=cell_index, n=n)
    if entry is None:
        return plain
    say = lambda key, **values: text(key, lang=lang, **values)  # noqa: E731
    panels = []
    for plot in entry.axes:
        labels = [say("figure_axes_x", x=plot.x)] if plot.x else []
        labels += [say("figure_axes_y", y=plot.y)] if plot.y else []
        joined = say("figure_axes_join").join(labels)
        if plot.title and joined:
            panels.append(say("figure_panel_axes", title=plot.title, axes=joined))
        elif plot.title or joined:
            panels.append(plot.title or joined)
    scales = [label for label in entry.scales if label]
    if scales:
        panels.append(say("figure_scales", scales=say("figure_axes_join").join(scales)))
    title = entry.title
    if not panels:
        return say("figure_one", what=title) if title else plain
    what = say("figure_join").join(panels)
    if len(entry.axes) > 1:
        key = "figure_titled_panels" if title else "figure_panels"
        return say(key, title=title, count=len(entry.axes), what=what)
    return say("figure_titled", title=title, what=what) if title else say("figure_one", what=what)


def _attr(value: object) -> str:
    return html.escape(str(value), quote=True)


# Characters that Markdown (or an extension) would turn into markup: links, emphasis, code,
# table cells, attribute lists. Recordings are untrusted data, never Markdown.
_MARKDOWN_ACTIVE = {ord(c): f"&#{ord(c)};" for c in "\\`*_[](){}!#|~:<>\"'"}


# Characters a terminal or a browser acts on instead of showing: C0 controls but tab and line
# feed, DEL, C1 controls (U+009B is a terminal's CSI), the bidirectional overrides and isolates
# (U+202E turns the rest of a line around) and other invisible format characters.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)


def visible_controls(value: str) -> str:
    """Recorded text with every control and bidi character shown as its Python escape
    (`\\x00`, `\\x9b`, `\\u202e`): a reader sees that it is there, and it acts on nothing."""
    return _INVISIBLE.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", value
    )


def markdown_text(value: object) -> str:
    """Text that Markdown shows literally: HTML-escaped, and every character Markdown would
    read as markup replaced by its numeric entity (a recorded `[x](javascript:…)` stays text)."""
    return html.escape(visible_controls(str(value)), quote=False).translate(_MARKDOWN_ACTIVE)


def _profile_box(
    state: RecordingState,
    *,
    snippet_id: str,
    cell_index: int,
    last: bool,
    figure_url: FigureUrl,
    lang: str,
) -> str:
    """The output container of one profile for one cell, or "" when there is nothing to show."""
    assert state.recording is not None
    cell = state.recording.cell(cell_index)
    output = visible_controls(cell.output.rstrip("\n")) if cell else ""
    parts: list[str] = []
    if output.strip():
        block = f"<pre><code>{html.escape(output)}</code></pre>"
        lines = output.count("\n") + 1
        if lines > LONG_OUTPUT_LINES:
            # Shown up to a height, then a "show all" toggle (CSS only: a checkbox and its label).
            toggle = f"snippet-long-{snippet_id}-{cell_index}-{state.profile}"
            block = (
                f'<div class="snippet-long"><input type="checkbox" class="snippet-long__toggle" '
                f'id="{_attr(toggle)}">{block}<label class="snippet-long__label" '
                f'for="{_attr(toggle)}">{html.escape(text("show_all", lang=lang, lines=lines))}'
                "</label></div>"
            )
        parts.append(block)
    for n, figure in enumerate(cell.figures if cell else (), start=1):
        alt = figure_alt(cell, n, snippet_id=snippet_id, cell_index=cell_index, lang=lang)
        parts.append(
            f'<figure class="snippet-figure"><img src="{_attr(figure_url(state.profile, f"{snippet_id}/{figure}"))}" '
            f'alt="{_attr(alt)}" loading="lazy" /></figure>'
        )
    if last:
        line = provenance_line(state.recording, lang=lang)
        parts.append(f'<p class="snippet-provenance">{html.escape(visible_controls(line))}</p>')
    if not parts:
        return ""
    has_output = len(parts) > (1 if last else 0)
    classes = "snippet-output" if has_output else "snippet-output snippet-output--empty"
    return (
        f'<div class="{classes}" data-snippet="{_attr(snippet_id)}" '
        f'data-profile="{_attr(state.profile)}" data-cell="{cell_index}" data-search-exclude>\n'
        + "\n".join(parts)
        + "\n</div>"
    )


def _tab_label(state: RecordingState) -> str:
    profile = profiles.get(state.profile)
    if profile is profiles.CPU:
        return profile.label
    assert state.recording is not None
    return f"{profile.label} · {device_label(state.recording)}"


def _tabs(boxes: Sequence[tuple[str, str]], *, group: str) -> str:
    """pymdownx.tabbed (alternate style) markup for (label, content) pairs, as Material styles it."""
    checked = ['checked="checked" '] + [""] * (len(boxes) - 1)
    inputs = "".join(
        f'<input {checked[i]}id="{group}-{i + 1}" name="{group}" type="radio" />' for i in range(len(boxes))
    )
    labels = "".join(
        f'<label for="{group}-{i + 1}">{html.escape(label)}</label>' for i, (label, _) in enumerate(boxes)
    )
    blocks = "\n".join(f'<div class="tabbed-block">\n{content}\n</div>' for _, content in boxes)
    return (
        f'<div class="tabbed-set tabbed-alternate snippet-tabs" data-tabs="0:{len(boxes)}">{inputs}'
        f'<div class="tabbed-labels">{labels}</div>\n<div class="tabbed-content">\n{blocks}\n</div>\n</div>'
    )


def cell_output_html(
    states: Sequence[RecordingState],
    *,
    snippet_id: str,
    cell_index: int,
    last: bool,
    figure_url: FigureUrl,
    lang: str,
) -> str:
    """The recorded output of one cell (1-based), with the provenance under the program's last cell.

    Only fresh recordings are shown. One usable recording: a plain container; a CPU and a GPU
    recording: content tabs. A cell that printed nothing and drew nothing yields "".
    """
    usable = [s for s in states if s.usable and s.recording is not None]
    boxes = [
        (
            s,
            _profile_box(
                s, snippet_id=snippet_id, cell_index=cell_index, last=last, figure_url=figure_url, lang=lang
            ),
        )
        for s in usable
    ]
    if not any(box for _, box in boxes):
        return ""
    if len(boxes) == 1:
        return boxes[0][1]
    empty = f'<p class="snippet-no-output">{html.escape(text("no_output", lang=lang))}</p>'
    return _tabs(
        [(_tab_label(s), box or empty) for s, box in boxes],
        group=f"snippet-{snippet_id}-{cell_index}",
    )


def problem_admonition(state: RecordingState, *, snippet_id: str, lang: str) -> str:
    """A visible Markdown warning shown instead of a missing or stale recording."""
    missing = state.recording is None
    title = text("missing_title" if missing else "stale_title", lang=lang)
    body = text(
        "problem_body",
        lang=lang,
        id=snippet_id,
        profile=profiles.get(state.profile).label,
        what=text("missing_what" if missing else "stale_what", lang=lang),
        reason=markdown_text(state.reason or "?"),
        command=refresh_command(snippet_id, state.profile),
    )
    return f'!!! warning "{title}"\n    {body}'


def fence_anchor(snippet_id: str) -> str:
    """The id of the anchor placed before a program's first fence (the report links to it)."""
    return f"snippet-{snippet_id}"


def downloads_html(
    snippet_id: str,
    *,
    py_url: str | None,
    ipynb_url: str | None,
    notebook_url: str | None,
    lang: str,
) -> str:
    """Download buttons for one program ("" when there is nothing to download)."""
    links = [
        f'<a class="md-button" href="{_attr(url)}"{" download" if download else ""}>{html.escape(label)}</a>'
        for url, label, download in (
            (py_url, text("download_py", lang=lang), True),
            (ipynb_url, text("download_ipynb", lang=lang), True),
            (notebook_url, text("notebook_page", lang=lang), False),
        )
        if url
    ]
    if not links:
        return ""
    intro = html.escape(text("downloads", lang=lang, id=snippet_id))
    return (
        f'<div class="snippet-downloads" data-snippet="{_attr(snippet_id)}">'
        f'<span class="snippet-downloads__label">{intro}</span> ' + " ".join(links) + "</div>"
    )
