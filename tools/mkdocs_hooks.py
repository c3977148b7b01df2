"""MkDocs hook: recorded snippet outputs, download links, notebook pages and the execution report.

The build never executes code: it reads docs/assets/recordings/ (written by `python -m tools run`)
and docs/<lang>/notebooks/ (written by `python -m tools notebooks`). A missing or stale recording
is logged as an error, so `mkdocs build --strict` fails; without --strict the page shows a warning.

mkdocs-static-i18n builds the site once per language in the same process, so everything read from
disk is kept in `_BuildState`, which the nested per-language builds reuse.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

# MkDocs loads hooks by file path: make the repository's `tools` package importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.embed import REPORT_MARKER, DownloadLinks, PageContext, ReportRow, embed_outputs, report_markdown  # noqa: E402
from tools.markdown import MarkdownError  # noqa: E402
from tools.recording import RecordingError, freshness, load_recording, recording_path  # noqa: E402
from tools.render import PROFILES, RecordingState, fence_anchor  # noqa: E402
from tools.snippets import scan_programs  # noqa: E402

log = logging.getLogger("mkdocs.plugins.snippets")

RECORDINGS = "assets/recordings"  # inside docs_dir
_H1 = re.compile(r"^# +(.+?)\s*#*\s*$", re.M)
_STYLE = re.compile(r"<style[^>]*>(?P<css>.*?)</style>", re.S)
# nbconvert's template adds a module script that imports mermaid from a CDN when a
# notebook has diagrams. The site never requests another host, and the generated
# notebooks carry no diagrams, so that loader is dropped.
_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*>(?:(?!</script>).)*?https?://(?:(?!</script>).)*</script>", re.S)
SHARED_STYLE_MIN = 20_000  # characters: mkdocs-jupyter inlines ~570 kB of JupyterLab CSS per page


class _BuildState:
    """Programs and recording states, read once per `mkdocs build` (all languages)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.programs, errors = scan_programs(root, lang="zh")
        for error in errors:
            log.error("%s", error)
        self._states: dict[str, list[RecordingState]] = {}

    def states(self, snippet_id: str) -> list[RecordingState]:
        if snippet_id not in self._states:
            self._states[snippet_id] = [self._state(snippet_id, p) for p in PROFILES]
        return self._states[snippet_id]

    def _state(self, snippet_id: str, profile: str) -> RecordingState:
        program = self.programs.get(snippet_id)
        try:
            recording = load_recording(self.root, snippet_id, profile)
        except RecordingError as error:
            return RecordingState(profile, {}, False, str(error))
        if recording is None:
            where = recording_path(self.root, snippet_id, profile).relative_to(self.root).as_posix()
            return RecordingState(profile, None, False, f"{where} does not exist")
        if program is None:
            return RecordingState(profile, recording, False, "docs/zh has no fence with this id")
        fresh, reason = freshness(self.root, program, recording, check_env=profile == "cpu")
        return RecordingState(profile, recording, fresh, reason)


_STATE: _BuildState | None = None


def _i18n(config: Any) -> Any:
    return config.plugins.get("i18n")


def _languages(config: Any) -> tuple[str, str]:
    """(default language, language being built)."""
    i18n = _i18n(config)
    if i18n is None:
        lang = config.theme.get("language", "en")
        return lang, lang
    return i18n.default_language, i18n.current_language


def _prefix(lang: str, config: Any) -> str:
    """Site path prefix of a language: "" for the default one, "en/" for the others."""
    default, _ = _languages(config)
    return "" if lang == default else f"{lang}/"


def on_pre_build(config: Any) -> None:
    global _STATE
    nested = bool(getattr(_i18n(config), "building", False))  # i18n's per-language rebuild
    if _STATE is None or not nested:
        _STATE = _BuildState(Path(config.config_file_path).resolve().parent)


def _state() -> _BuildState:
    assert _STATE is not None, "on_pre_build has not run"
    return _STATE


class NotebookPageFile(File):
    """A .ipynb file that MkDocs treats as a page, so that mkdocs-jupyter renders it."""

    def is_documentation_page(self) -> bool:
        return True


def _jupyter(config: Any) -> Any:
    for plugin in config.plugins.values():
        if type(plugin).__module__ == "mkdocs_jupyter.plugin":
            return plugin
    return None


@event_priority(-110)  # after mkdocs-static-i18n (-100)
def on_files(files: Files, config: Any) -> Files:
    """Make notebooks pages again, and add the download files of the language being built.

    mkdocs-static-i18n rebuilds every File as a plain File, dropping mkdocs-jupyter's wrapper: the
    notebook would be copied as raw JSON to its page URL and --strict would not notice
    (static-i18n#198). Marking those files as pages again restores mkdocs-jupyter's rendering.
    """
    _, lang = _languages(config)
    jupyter = _jupyter(config)
    for file in list(files):
        if jupyter and file.src_uri.endswith(".ipynb") and jupyter.should_include(file):
            page_file = NotebookPageFile.__new__(NotebookPageFile)
            page_file.__dict__.update(vars(file))
            # The language switcher reads alternates: the twin notebook has the same name.
            current = _prefix(lang, config)
            base = file.url[len(current) :] if file.url.startswith(current) else file.url
            page_file.alternates = dict(getattr(file, "alternates", {}))
            for other in getattr(_i18n(config), "build_languages", None) or []:
                page_file.alternates[other] = SimpleNamespace(url=_prefix(other, config) + base)
            files.remove(file)
            files.append(page_file)
    root = _state().root
    for snippet_id in _state().programs:
        script = root / "snippets" / f"{snippet_id}.py"
        if script.is_file():
            files.append(File.generated(config, f"downloads/{snippet_id}.py", abs_src_path=str(script)))
        notebook = Path(config.docs_dir) / lang / "notebooks" / f"{snippet_id}.ipynb"
        if notebook.is_file():
            src_uri = f"{_prefix(lang, config)}downloads/{snippet_id}.ipynb"
            files.append(File.generated(config, src_uri, abs_src_path=str(notebook)))
    return files


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """Keep notebook pages out of the search index (set before the search plugin reads
    page.meta in on_page_context): they repeat their article's prose and code, and
    every page downloads the index."""
    if isinstance(page.file, NotebookPageFile):
        page.meta.setdefault("search", {})["exclude"] = True
    return html


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Move the large stylesheets mkdocs-jupyter inlines into each notebook page to a shared
    file, and drop scripts that would load code from another host."""
    if not isinstance(page.file, NotebookPageFile):
        return output

    def shared(match: re.Match[str]) -> str:
        css = match["css"]
        if len(css) < SHARED_STYLE_MIN:
            return match.group(0)
        name = f"assets/notebooks/jupyter-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
        path = Path(config.site_dir) / name
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(css, encoding="utf-8")
        return f'<link rel="stylesheet" href="{get_relative_url(name, page.url)}">'

    return _REMOTE_SCRIPT.sub("", _STYLE.sub(shared, output))


def _page_lang(src_uri: str, config: Any) -> str:
    default, current = _languages(config)
    first = src_uri.split("/", 1)[0]
    return first if first in (default, current) else default


def _downloads(snippet_id: str, *, page: Any, lang: str, files: Files, config: Any) -> DownloadLinks:
    def url(src_uri: str) -> str | None:
        file = files.get_file_from_path(src_uri)
        return file.url_relative_to(page.file) if file else None

    prefix = _prefix(lang, config)
    return DownloadLinks(
        py_url=url(f"downloads/{snippet_id}.py"),
        ipynb_url=url(f"{prefix}downloads/{snippet_id}.ipynb"),
        notebook_url=url(f"{lang}/notebooks/{snippet_id}.ipynb"),
    )


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    if not page.file.src_uri.endswith(".md"):
        return markdown  # notebooks: mkdocs-jupyter renders them
    state = _state()
    lang = _page_lang(page.file.src_uri, config)
    page_path = posixpath.join(Path(config.docs_dir).name, page.file.src_uri)
    if REPORT_MARKER in markdown:
        markdown = markdown.replace(REPORT_MARKER, _report(page.file.src_uri, lang=lang))
    missing_figures: list[str] = []

    def figure_url(profile: str, figure: str) -> str:
        src_uri = f"{RECORDINGS}/{profile}/{figure}"
        if not (Path(config.docs_dir) / src_uri).is_file():
            missing_figures.append(src_uri)
        # With fallback_to_default: false, mkdocs-static-i18n copies shared assets only in the
        # default language's build (to the site root): link there from every language.
        file = files.get_file_from_path(src_uri)
        return file.url_relative_to(page.file) if file else get_relative_url(src_uri, page.url)

    context = PageContext(
        page=page_path,
        lang=lang,
        states=state.states,
        figure_url=figure_url,
        downloads=lambda snippet_id: _downloads(snippet_id, page=page, lang=lang, files=files, config=config),
    )
    try:
        markdown, problems = embed_outputs(markdown, context)
    except MarkdownError as error:
        log.error("%s", error)
        return markdown
    for problem in problems:
        log.error("%s", problem)
    for figure in missing_figures:
        log.error("%s: figure docs/%s is missing; re-record the snippet with `python -m tools run`", page_path, figure)
    return markdown


def _page_title(path: Path) -> str:
    try:
        found = _H1.search(path.read_text(encoding="utf-8"))
    except OSError:
        return path.stem
    return found.group(1) if found else path.stem


def _report(report_src_uri: str, *, lang: str) -> str:
    """The execution report table, with links relative to the report page."""
    state = _state()
    rows = []
    for snippet_id, program in state.programs.items():
        rel = program.page.split("/", 2)[2]  # docs/zh/a/b.md → a/b.md
        target = f"{lang}/{rel}"
        link = posixpath.relpath(target, posixpath.dirname(report_src_uri) or ".")
        label = _page_title(state.root / "docs" / lang / rel)
        for recording_state in state.states(snippet_id):
            if recording_state.profile == "cpu" or recording_state.recording is not None:
                rows.append(ReportRow(snippet_id, f"{link}#{fence_anchor(snippet_id)}", label, recording_state))
    return report_markdown(rows, lang=lang)
