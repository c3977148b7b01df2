"""Python-Markdown extension: recorded outputs under executable fences, and the execution report.

    markdown_extensions:
      - tools.site.markdown_ext

Any engine that runs Python-Markdown extensions from mkdocs.yml runs this one: MkDocs and
Zensical build the same pages with it. A Markdown extension is not told which file it renders,
so the page is recognized by its executable fences (and, for the report page, its title): each
page's signature is the list of its exec fences, each with the line of prose right before it,
which differ between a zh page and its en twin. The signature gives the page path (for
`file:line` in messages), its language and its URL.

The build never executes code: it reads the recordings through `tools.recordings` (the one
freshness decision). A missing, stale or broken cpu recording, and zh/en programs that differ,
are logged as errors on the `mkdocs.plugins.tools` logger, so `mkdocs build --strict` fails;
without --strict the page shows a warning box instead of the output.
"""

from __future__ import annotations

import functools
import logging
import posixpath
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from tools.markdown import MarkdownError, split_blocks, strip_front_matter
from tools.markdown import title as markdown_title
from tools.programs import Program, is_exec_fence, scan_all
from tools.profiles import CPU
from tools.recordings import HIDE, RecordingState, consequence, program_states, recording_state
from tools.site.embed import REPORT_MARKER, DownloadLinks, PageContext, ReportRow, embed_outputs, report_markdown
from tools.site.files import ProgramInputs, download_src, figure_src
from tools.languages import LANGUAGES, language_prefix
from tools.site.render import fence_anchor, page_url

__all__ = ["ExecOutputsExtension", "makeExtension", "page_url"]

log = logging.getLogger("mkdocs.plugins.tools")

# Set by the MkDocs hook: mkdocs-jupyter renders docs/<lang>/notebooks/*.ipynb as pages. Other
# engines show the download links only.
NOTEBOOK_PAGES = False


def _relative(target: str, page: str) -> str:
    """URL of site path `target` relative to the page at site path `page` (a directory URL)."""
    return posixpath.relpath(target or ".", page or ".") + ("/" if target.endswith("/") else "")


def _as_markdown_reads(data: bytes) -> str:
    """A page's text as the engine hands it to the extension: without a byte-order mark (MkDocs
    reads utf-8-sig) and with "\n" line endings (Python-Markdown normalizes them), so that a
    BOM or CRLF page has the same signature on disk as in the build."""
    text = data.decode("utf-8-sig", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@functools.lru_cache(maxsize=256)  # each page's text: once when read from disk, once when built
def _signature(text: str) -> tuple:
    """What identifies a page's Markdown: its exec fences with the prose line before each, or,
    for a page with the report marker, its title."""
    try:
        blocks = split_blocks(text)
    except MarkdownError:
        return ()
    items = []
    previous = ""
    for block in blocks:
        if block.kind == "text":
            lines = [line for line in block.text.splitlines() if line.strip()]
            previous = lines[-1].strip() if lines else previous
        elif is_exec_fence(block):
            items.append((previous, block.text.rstrip("\n")))
    if REPORT_MARKER in text:
        items.append(("report", ""))
    if items:  # the title tells a zh page from its en twin when the prose before fences agrees
        items.insert(0, ("title", markdown_title(text) or ""))
    return tuple(items)


@dataclass
class _Site:
    """Everything read from disk for one state of the repository (re-read when files change):
    one per build, shared by every language's pages and by the MkDocs hook (the site files)."""

    programs: dict[str, Program]
    errors: list[str]
    pages: dict[tuple, list[str]]  # signature → docs-relative paths ("en/a/b.md")
    states: dict[str, list[RecordingState]]  # tools.recordings.program_states
    files_written: bool = False  # the generated site files of this state (tools.site.files)
    logged: bool = False
    reported: set[str] = field(default_factory=set)  # messages logged once per state


_lock = threading.Lock()
_sites: dict[Path, tuple[ProgramInputs, _Site]] = {}  # repository root → (its inputs, what was read)


_held: dict[Path, bool] = {}  # root → whether the build in progress has checked its inputs


def hold_inputs(root: Path, held: bool) -> None:
    """Called by an engine hook when a build starts (True) and ends (False): in between, the
    first page checks the inputs and the others use what it read, instead of checking every
    page and recording again for each page with programs (a cost of pages × files per build).
    Without a hook, every page checks."""
    with _lock:
        if held:
            _held[root] = False
        else:
            _held.pop(root, None)


def _load(root: Path) -> _Site:
    """What the pages need from disk; re-read only when a page with programs (or the report)
    or a recording changed (pages are re-read by size and mtime, tools.site.files)."""
    with _lock:
        watch, site = _sites.get(root, (ProgramInputs(), None))
        if site is not None and _held.get(root):
            return site
        if root in _held:
            _held[root] = True  # checked now, for the rest of this build
        if not watch.changed(root) and site is not None:
            return site
        programs, errors = scan_all(root)
        pages: dict[tuple, list[str]] = {}
        for lang in LANGUAGES:
            for path in sorted((root / "docs" / lang).rglob("*.md")):
                if path.is_symlink() or not path.is_file():
                    continue  # scan_all reported it; a FIFO would hang the build
                text = _as_markdown_reads(path.read_bytes())
                if "exec=" not in text and REPORT_MARKER not in text:
                    continue
                body = strip_front_matter(text)
                pages.setdefault(_signature(body), []).append(path.relative_to(root / "docs").as_posix())
        site = _Site(programs, [str(error) for error in errors], pages, program_states(root, programs))
        _sites[root] = (watch, site)
        return site


def _ambiguous(candidates: list[str]) -> str:
    """Why a page's signature does not name exactly one file, with the fix."""
    if not candidates:  # the page changed after the build read docs/ (a save during serve)
        return ("tools.site.markdown_ext: a page with executable fences matches no page under "
                "docs/ (it changed while the site was built); save the page and build again")
    twins = {rel.split("/", 1)[1] for rel in candidates}
    if len(twins) == 1 and len(candidates) == 2:
        en = next(rel for rel in candidates if not rel.startswith("zh/"))
        zh = next(rel for rel in candidates if rel != en)
        return (f"docs/{en}:1: the same title and the same prose before every executable fence as "
                f"docs/{zh}: it is an untranslated copy; translate its title and prose (the "
                "code stays the same)")
    shown = ", ".join(f"docs/{rel}" for rel in candidates)
    return (f"docs/{candidates[-1]}:1: {shown} have the same title and the same prose before "
            "every executable fence, so their outputs cannot be told apart; change the title or "
            "the prose before a fence of one of them")


def _report(site: _Site, root: Path, *, page: str, lang: str) -> str:
    """The execution report table, links relative to the report page (Markdown .md links)."""
    rows = []
    titles: dict[Path, str] = {}  # several programs share a page and every page an article

    def title(path: Path) -> str:
        if path not in titles:
            titles[path] = _title(path)
        return titles[path]

    for snippet_id, program in site.programs.items():
        rel = program.page.split("/", 2)[2]  # docs/zh/a/b.md → a/b.md
        link = posixpath.relpath(f"{lang}/{rel}", posixpath.dirname(page) or ".")
        article = rel.split("/")[0]
        labels = [title(root / "docs" / lang / article / "index.md")]
        if not rel.endswith("index.md"):
            labels.append(title(root / "docs" / lang / rel))
        for state in site.states[snippet_id]:
            if consequence(state) != HIDE:
                rows.append(ReportRow(snippet_id, f"{link}#{fence_anchor(snippet_id)}",
                                      " › ".join(labels), state))
    return report_markdown(rows, lang=lang)


def _title(path: Path) -> str:
    try:
        found = markdown_title(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return path.stem
    return found or path.stem


class _EmbedPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, root: Path, default_prefix: str, link_base: str) -> None:
        super().__init__(md)
        self.root = root
        self.default_prefix = default_prefix
        self.link_base = link_base

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "exec=" not in text and REPORT_MARKER not in text:
            return lines
        site = _load(self.root)
        if not site.logged:
            site.logged = True
            for error in site.errors:
                log.error("%s", error)
        signature = _signature(text)
        if not signature:
            return lines  # "exec=" in prose or inline code; quoted fences: scan_all reports them
        candidates = site.pages.get(signature, [])
        if len(candidates) != 1:
            message = _ambiguous(candidates)
            if message not in site.reported:
                site.reported.add(message)
                log.error("%s", message)
            return lines
        rel = candidates[0]
        lang = rel.split("/", 1)[0]
        if self.link_base == "source":
            # The engine resolves raw-HTML URLs against the page's source file and rewrites them;
            # zensical-i18n stages each language as its own docs root, with docs/assets/ inside.
            folder = posixpath.dirname(rel.split("/", 1)[1])
            url = f"{folder}/" if folder else ""
            figure_base = download_base = ""
        else:
            url = page_url(rel, default_prefix=self.default_prefix)
            figure_base = download_base = ""
        if REPORT_MARKER in text:
            text = text.replace(REPORT_MARKER, _report(site, self.root, page=rel, lang=lang))

        def figure_url(profile: str, figure: str) -> str:
            snippet_id, _, name = figure.rpartition("/")
            return _relative(figure_base + figure_src(profile, snippet_id, name), url)

        def downloads(snippet_id: str) -> DownloadLinks:
            notebook = f"{language_prefix(lang, default_prefix=self.default_prefix)}notebooks/{snippet_id}/"
            return DownloadLinks(
                py_url=_relative(download_base + download_src(snippet_id), url),
                ipynb_url=_relative(download_base + download_src(snippet_id, lang=lang), url),
                notebook_url=_relative(notebook, url) if NOTEBOOK_PAGES else None,
            )

        context = PageContext(page=f"docs/{rel}", lang=lang,
                              states=lambda snippet_id: site.states.get(snippet_id) or [
                                  recording_state(self.root, None, snippet_id, CPU.name)],
                              figure_url=figure_url, downloads=downloads)
        try:
            embedded, problems = embed_outputs(text, context)
        except MarkdownError as error:
            log.error("%s", error)
            return lines
        offset = self._line_offset(rel, text)
        for problem in problems:
            log.error("%s", problem if not offset else str(problem).replace(
                f"docs/{rel}:{problem.line}:", f"docs/{rel}:{problem.line + offset}:", 1))
        return embedded.split("\n")

    def _line_offset(self, rel: str, text: str) -> int:
        """Lines the file has before `text`'s first line (front matter, or minus a banner)."""
        try:
            source = _as_markdown_reads((self.root / "docs" / rel).read_bytes())
        except OSError:
            return 0
        first_fence = next((line for line in text.splitlines() if "exec=" in line), None)
        if first_fence is None:
            return 0
        return source.splitlines().index(first_fence) - text.splitlines().index(first_fence) \
            if first_fence in source.splitlines() else 0


class ExecOutputsExtension(Extension):
    def __init__(self, **kwargs: object) -> None:
        self.config = {"root": ["", "repository root (default: the working directory, where "
                                    "mkdocs.yml is)"],
                       "default_language_prefix": ["", 'site path of the default language: "" when '
                                                   'it is served at the root (mkdocs-static-i18n), '
                                                   '"" under zensical-i18n too'],
                       "link_base": ["page", 'what relative URLs of figures and downloads are '
                                     'relative to: "page" (the built page, MkDocs leaves raw HTML '
                                     'alone) or "source" (the .md file in its language\'s docs '
                                     'root, as zensical-i18n stages it; Zensical rewrites them)']}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown API
        # Before superfences (25) and the raw-HTML stasher (20): it rewrites whole fences.
        root = Path(self.getConfig("root") or Path.cwd()).resolve()
        prefix = self.getConfig("default_language_prefix")
        link_base = self.getConfig("link_base")
        if link_base not in ("page", "source"):
            raise ValueError(f'tools.site.markdown_ext: link_base is "page" or "source", not {link_base!r}')
        md.preprocessors.register(_EmbedPreprocessor(md, root, prefix, link_base),
                                  "tools_exec_outputs", 28)


def makeExtension(**kwargs: object) -> ExecOutputsExtension:  # noqa: N802 - Python-Markdown API
    return ExecOutputsExtension(**kwargs)
