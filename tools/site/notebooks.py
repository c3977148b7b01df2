"""One Jupyter notebook per program and language, generated at build time (tools.site.files).

A notebook holds the page's prose in that language (Markdown cells: from the heading above a
program's first fence, then the text between its fences) and the fences' code with the recorded
CPU outputs (stream text, PNG figures). Two flavors:

- the download (`page=False`): Markdown cells in plain Markdown that Jupyter renders (admonitions
  become block quotes), figures as image/png;
- the notebook page (`page=True`, rendered by mkdocs-jupyter): Markdown cells rendered to HTML
  with the site's own extensions (admonitions, code, tables, links that work from the notebook
  page), figures as <img> of the served figure files with alt text in the page's language.

Generation is deterministic (no timestamps, fixed cell ids): the same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import html
import posixpath
import re
import struct
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.markdown import Block, join_blocks, split_blocks
from tools.markdown import title as markdown_title
from tools.programs import Program, is_exec_fence
from tools import profiles
from tools.recordings import Recording, RecordingState, recording_state, recordings_dir
from tools.languages import LANGUAGES, twin
from tools.site.render import figure_alt, page_url, text, visible_controls

__all__ = ["LANGUAGES", "NOTEBOOKS", "build_notebook"]

NOTEBOOKS = "notebooks"
_HEADING = re.compile(r"^#{1,6} ", re.M)
# "!!! note", "??? tip "Title"", "=== "Tab"": Jupyter knows none of them; see _plain_markdown.
_CONTAINER = re.compile(r'^(?:!!!|\?\?\?\+?|===)\s*(?P<type>[\w-]*)\s*(?:"(?P<title>[^"]*)")?\s*$')
_EXEC_INFO = re.compile(r"^((?:`{3,}|~{3,})\s*python)\b.*\bexec=.*$", re.M)


def _plain_markdown(text: str) -> str:
    """Admonitions and tabs as blockquotes, exec fences as plain ones: Markdown Jupyter renders."""
    out: list[str] = []
    inside = False
    blanks = 0  # blank lines seen inside a container, emitted once we know whether it goes on
    for line in text.splitlines():
        match = _CONTAINER.match(line)
        if match:
            out += [""] * blanks
            title = match["title"] if match["title"] is not None else match["type"].capitalize()
            out.append(f"> **{title}**" if title else ">")
            inside, blanks = True, 0
        elif inside and not line.strip():
            blanks += 1
        elif inside and line.startswith("    "):
            out += [">"] * blanks + [("> " + line[4:]).rstrip()]
            blanks = 0
        else:
            out += [""] * blanks + [line]
            inside, blanks = False, 0
    out += [""] * blanks
    plain = "\n".join(out)
    return _EXEC_INFO.sub(r"\1", plain)


def _prose(blocks: list[Block], start: int, end: int, *, plain: bool) -> str:
    text = "".join(b.text for b in blocks[start:end])
    return (_plain_markdown(text) if plain else text).strip("\n")


def _section_start(blocks: list[Block], fence: int) -> tuple[int, str]:
    """(first block index, leading text) of the prose above blocks[fence]: from its last heading.

    Below an H1 (the page title, already in the intro cell) only the text after it is taken;
    with no heading at all, only the text block right above the fence.
    """
    for i in range(fence - 1, -1, -1):
        block = blocks[i]
        if block.kind != "text":
            continue
        headings = list(_HEADING.finditer(block.text))
        if headings:
            tail = block.text[headings[-1].start() :]
            if tail.startswith("# "):
                tail = tail.partition("\n")[2]
            return i + 1, tail
    previous = blocks[fence - 1] if fence > 0 and blocks[fence - 1].kind == "text" else None
    return fence, previous.text if previous else ""


def _outputs(
    recording: Recording | None, index: int, figures_dir: Path, *, page_lang: str | None, snippet_id: str
) -> list:
    """Stream text and figures of a recorded cell; with `page_lang`, figures as <img> with the
    alt text the article page gives them (`figure_alt`)."""
    if recording is None:
        return []
    cell = recording.cell(index)
    if cell is None:
        return []
    outputs = []
    if cell.output:  # the page flavor shows control characters escaped, as the pages do
        text = cell.output if page_lang is None else visible_controls(cell.output)
        outputs.append(new_output("stream", name="stdout", text=text))
    for number, figure in enumerate(cell.figures, start=1):
        if page_lang is None:
            png = (figures_dir / figure).read_bytes()
            data = base64.b64encode(png).decode("ascii")
            # As a kernel stores a matplotlib figure: image/png plus the figure's repr, whose size
            # is the PNG's (the runner saves at the figure's own size and dpi). The repr's
            # " with N Axes" is not recorded; the nbval test sanitizes it (tests/nbval-sanitize.cfg).
            size = ""
            if png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) >= 24:
                size = " size {}x{}".format(*struct.unpack(">II", png[16:24]))
            bundle = {"image/png": data, "text/plain": f"<Figure{size}>"}
        else:
            # The figure file the article page shows (tools.site.files writes it), not a data:
            # URL: the page stays light and the browser caches the image.
            from tools.site.files import figure_src  # noqa: PLC0415 - files imports this module

            here = page_url(f"{page_lang}/{NOTEBOOKS}/{snippet_id}.md")
            src = posixpath.relpath(figure_src(profiles.CPU.name, snippet_id, figure), here)
            alt = figure_alt(cell, number, snippet_id=snippet_id, cell_index=index, lang=page_lang)
            label = html.escape(alt, quote=True)
            bundle = {
                "text/html": f'<img src="{html.escape(src, quote=True)}" alt="{label}" loading="lazy">',
                "text/plain": f"<{label}>",
            }
        outputs.append(new_output("display_data", data=bundle))
    return outputs


# The site's Markdown, for notebook pages: what the pages themselves render with.
_PAGE_EXTENSIONS = [
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "tables",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.tabbed",
    "pymdownx.highlight",
    "pymdownx.inlinehilite",
    "pymdownx.arithmatex",
]
_PAGE_CONFIG = {"pymdownx.arithmatex": {"generic": True}, "pymdownx.tabbed": {"alternate_style": True}}
_HREF = re.compile(r'(?P<attr>\b(?:href|src))="(?P<url>[^"#:?]+\.md)(?P<rest>[#?][^"]*)?"')


_RENDERER: list = []  # one Python-Markdown instance, reset between texts (~10 ms to make one)


def _page_html(markdown_text: str, *, page_rel: str, lang: str) -> str:
    """Render prose as the site does; .md links made relative to the notebook page."""
    if not _RENDERER:
        import markdown  # the site's own renderer (Python-Markdown)

        _RENDERER.append(markdown.Markdown(extensions=_PAGE_EXTENSIONS, extension_configs=_PAGE_CONFIG))
    rendered = _RENDERER[0].reset().convert(markdown_text)
    page_dir = posixpath.dirname(page_rel.split("/", 1)[1])  # "zh/a/b.md" → "zh/a"
    here = page_url(f"{lang}/{NOTEBOOKS}/x.md")  # "notebooks/x/" or "en/notebooks/x/"

    def relink(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(page_dir, match["url"]))
        url = posixpath.relpath(page_url(target), here) + "/"
        return f'{match["attr"]}="{url}{match["rest"] or ""}"'

    return '<div class="notebook-prose">\n' + _HREF.sub(relink, rendered) + "\n</div>"


def _notebook(
    root: Path, program: Program, *, lang: str, page: bool, state: RecordingState | None = None
) -> tuple[str, str] | None:
    """(page title, notebook text) of a program in `lang`; None when that language has no twin."""
    source = root / twin(program.page, lang)
    if not source.is_file():
        return None
    rel = source.relative_to(root).as_posix()
    blocks = split_blocks(source.read_text(encoding="utf-8"), path=rel)
    fences = [i for i, b in enumerate(blocks) if is_exec_fence(b) and b.attrs.get("exec") == program.id]
    if not fences:
        return None
    # Through the one decision: outputs only while they belong to this code and data (after an
    # edit, `mkdocs serve` must not pair the new code with the old outputs).
    if state is None:
        state = recording_state(root, program, program.id, profiles.CPU.name)
    recording = state.recording if state.usable else None
    title = markdown_title(join_blocks(blocks)) or program.id
    intro = f"# {title} · {program.id}\n\n" + text("notebook_intro", lang=lang, title=title, id=program.id)
    to_cell = (lambda text: _page_html(text, page_rel=rel, lang=lang)) if page else (lambda text: text)
    cells = [new_markdown_cell(to_cell(intro), id="intro")]
    start, leading = _section_start(blocks, fences[0])
    for number, fence in enumerate(fences, start=1):
        prose = _prose(blocks, start, fence, plain=not page)
        if number == 1:
            lead = _plain_markdown(leading) if not page else leading
            prose = (lead.strip("\n") + "\n\n" + prose).strip("\n")
        if prose:
            cells.append(new_markdown_cell(to_cell(prose), id=f"text-{number}"))
        code = blocks[fence].body.rstrip("\n")
        outputs = _outputs(
            recording,
            number,
            recordings_dir(root, profiles.CPU.name) / program.id,
            page_lang=lang if page else None,
            snippet_id=program.id,
        )
        cells.append(new_code_cell(code, id=f"code-{number}", execution_count=number, outputs=outputs))
        start = fence + 1
    notebook = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(notebook)
    return title, nbformat.writes(notebook) + "\n"


def build_notebook(
    root: Path, program: Program, *, lang: str, page: bool = False, state: RecordingState | None = None
) -> str | None:
    """The notebook text of a program in `lang` (None when that language has no twin page);
    `state`: the program's cpu recording state when the caller has it already (read once)."""
    built = _notebook(root, program, lang=lang, page=page, state=state)
    return built[1] if built else None
