"""MkDocs hook: what only MkDocs needs around the engine-neutral Markdown extension.

The outputs, provenance, downloads and the report are embedded by tools.site.markdown_ext (a
Python-Markdown extension that Zensical runs too). This hook:

- writes the generated site files (figures, downloads, notebook pages: tools.site.files) before
  each build, once per `mkdocs build` (mkdocs-static-i18n rebuilds once per language in the same
  process) and again on every `mkdocs serve` rebuild, only rewriting files whose bytes changed;
- makes notebooks pages again after mkdocs-static-i18n (static-i18n#198), keeps them out of the
  search index, moves the ~570 kB of CSS mkdocs-jupyter inlines into one shared file and drops
  nbconvert's CDN script.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import logging
import os
import re
import sys
from pathlib import Path, PurePath
from types import SimpleNamespace
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

# MkDocs loads hooks by file path: make the repository's `tools` package importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from tools.languages import language_prefix  # noqa: E402
from tools.programs import SnippetError, read_page  # noqa: E402
from tools.site import markdown_ext  # noqa: E402
from tools.site.cache import cache_dir, cached_text, prune  # noqa: E402
from tools.site.files import write_site_files  # noqa: E402

log = logging.getLogger("mkdocs.plugins.tools")

_STYLE_OPEN = re.compile(r"<style[^>]*>")
# nbconvert's template adds a module script that imports mermaid from a CDN when a notebook has
# diagrams. The site never requests another host, and the notebooks carry no diagrams.
_SCRIPT_OPEN = re.compile(r"<script\b[^>]*>")
SHARED_STYLE_MIN = 20_000  # characters: mkdocs-jupyter inlines ~570 kB of JupyterLab CSS per page


def _i18n(config: Any) -> Any:
    return config.plugins.get("i18n")


def _prefix(lang: str, config: Any) -> str:
    """Site path prefix of a language ("" for the default one, "en/" for the others); a site
    without the i18n plugin serves every page at the root."""
    return language_prefix(lang) if _i18n(config) else ""


def on_config(config: Any) -> Any:
    markdown_ext.NOTEBOOK_PAGES = _jupyter(config) is not None
    _ROOT[0] = Path(config.config_file_path).resolve().parent
    if markdown_ext.NOTEBOOK_PAGES:
        _cache_notebook_conversions()
        _read_only_included(_jupyter(config))
    _cache_search_entries()
    _cache_highlighting()
    return config


_ROOT = [Path.cwd()]  # the repository being built (the build cache lives there)
# What nbconvert's HTML and Markdown of a notebook depend on besides the notebook and the options.
CONVERTER_DISTRIBUTIONS = ("mkdocs-jupyter", "nbconvert", "nbformat", "jupytext", "mistune",
                           "pygments", "jupyterlab-pygments", "beautifulsoup4", "bleach", "jinja2",
                           "markupsafe", "defusedxml", "traitlets", "jupyter-core", "markdown")


def _cache_notebook_conversions() -> None:
    """Convert each notebook once per content, not once per build (tools.site.cache): nbconvert
    recompiles its templates for every notebook (~0.5 s each) and mkdocs-jupyter converts each
    twice (HTML, then Markdown for the table of contents); its own cache is evicted by the second
    language build of mkdocs-static-i18n, and `mkdocs serve` would redo all of them every save."""
    from mkdocs_jupyter import convert, plugin

    for name in ("nb2html", "nb2md"):
        original = getattr(convert, name)
        if getattr(original, "cached", False):
            continue
        setattr(convert, name, _cached_conversion(name, original))
    # The table of contents: nb2md's Markdown rendered again (~25 ms a notebook page).
    if not getattr(plugin._get_nb_toc_tokens, "cached", False):
        plugin._get_nb_toc_tokens = _cached_toc(plugin._get_nb_toc_tokens)


def _cached_conversion(name: str, original: Any) -> Any:
    def convert(path: str, *args: Any, **options: Any) -> str:
        if args or options.get("execute"):
            # Executed: not a function of its inputs (and mkdocs-jupyter passes options by name).
            return original(path, *args, **options)
        source = Path(path).resolve()
        rel = source.relative_to(_ROOT[0]).as_posix() if source.is_relative_to(_ROOT[0]) else source.name
        parts = [rel, source.read_bytes(), repr(sorted(options.items()))]
        return cached_text(_ROOT[0], name, parts, lambda: original(path, *args, **options),
                           distributions=CONVERTER_DISTRIBUTIONS)

    convert.cached = True  # type: ignore[attr-defined]
    return convert


def _cached_toc(original: Any) -> Any:
    def toc_tokens(path: str, toc_depth: int) -> tuple[list, str | None]:
        source = Path(path).resolve()
        rel = source.relative_to(_ROOT[0]).as_posix() if source.is_relative_to(_ROOT[0]) else source.name
        text = cached_text(_ROOT[0], "nb-toc", [rel, source.read_bytes(), str(toc_depth)],
                           lambda: json.dumps(original(path, toc_depth)),
                           distributions=CONVERTER_DISTRIBUTIONS)
        tokens, title = json.loads(text)
        return tokens, title

    toc_tokens.cached = True  # type: ignore[attr-defined]
    return toc_tokens


def _cache_highlighting() -> None:
    """Highlight each code block once per content, not once per build (tools.site.cache):
    Pygments is ~15 % of a warm build. A block's HTML is a function of its source, the call's
    arguments (language, line numbers, the block's number for its line anchors, …) and the
    highlighter's options. Inline code (an element, not text) and HTML titles (which touch the
    page's stash) are highlighted as before."""
    try:
        from pymdownx.highlight import Highlight
    except ImportError:
        return
    if not getattr(Highlight.highlight, "cached", False):
        Highlight.highlight = _cached_highlight(Highlight.highlight)


def _cached_highlight(original: Any) -> Any:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def highlight(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = signature.bind(self, *args, **kwargs)
        call.apply_defaults()
        arguments = {name: value for name, value in call.arguments.items() if name != "self"}
        if arguments.get("inline") or self.title_mode == "html":
            return original(self, *args, **kwargs)
        options = {name: value for name, value in vars(self).items() if name != "md"}
        parts = [repr(sorted(arguments.items())), repr(sorted(options.items()))]
        return cached_text(_ROOT[0], "highlight", parts, lambda: original(self, *args, **kwargs),
                           distributions=("pymdown-extensions", "pygments"))

    highlight.cached = True  # type: ignore[attr-defined]
    return highlight


# What Material's search entries of a page depend on besides the page (its HTML, URL, title,
# metadata and table of contents) and the jieba dictionaries.
SEARCH_DISTRIBUTIONS = ("mkdocs-material", "jieba", "backrefs")


def _cache_search_entries() -> None:
    """Index each page once per content, not once per build (tools.site.cache): Material's search
    plugin parses every page's HTML with html.parser and segments its Chinese text with jieba
    (~40 % of a warm build: every highlighted token and output line is a tag to parse). The
    entries are the same for the same page HTML, URL, title, metadata, table of contents and
    dictionaries, so they are kept by those and appended as the plugin would append them."""
    try:
        from material.plugins.search.plugin import SearchIndex
    except ImportError:
        return
    if not getattr(SearchIndex.add_entry_from_context, "cached", False):
        SearchIndex.add_entry_from_context = _cached_search_entries(SearchIndex.add_entry_from_context)


def _cached_search_entries(original: Any) -> Any:
    @functools.wraps(original)
    def add_entry_from_context(self: Any, page: Any) -> None:
        if (page.meta.get("search") or {}).get("exclude"):
            return  # nothing to index (the plugin's own first check)
        parts = [page.content or "", page.url, str(page.title),
                 json.dumps(page.meta, sort_keys=True, default=str),
                 json.dumps(_toc_anchors(page.toc)),
                 *(_file_bytes(self.config.get(name)) for name in ("jieba_dict", "jieba_dict_user"))]
        entries = self.entries
        start = len(entries)
        added: list[dict] = []

        def index() -> str:
            original(self, page)
            added.extend(entries[start:])
            return json.dumps(added, ensure_ascii=False)

        text = cached_text(_ROOT[0], "search-entries", parts, index, distributions=SEARCH_DISTRIBUTIONS)
        if not added:  # a cache hit: the plugin did not run
            entries.extend(json.loads(text))

    add_entry_from_context.cached = True  # type: ignore[attr-defined]
    return add_entry_from_context


def _toc_anchors(toc: Any) -> list:
    """(id, url, children) of every table-of-contents item: what the plugin's section URLs read."""
    return [(item.id, item.url, _toc_anchors(item.children)) for item in toc or []]


def _file_bytes(path: str | None) -> bytes:
    """A dictionary's bytes (b"" without one), read again only when its size or mtime changed
    (`mkdocs serve` rewrites the glossary's between builds)."""
    if not path:
        return b""
    try:
        stat = os.stat(path)
        known = _dictionaries.get(path)
        if known is None or known[0] != (stat.st_size, stat.st_mtime_ns):
            known = _dictionaries[path] = ((stat.st_size, stat.st_mtime_ns), Path(path).read_bytes())
        return known[1]
    except OSError:
        return b""


_dictionaries: dict[str, tuple[tuple[int, int], bytes]] = {}


def _read_only_included(jupyter: Any) -> None:
    """mkdocs-jupyter's should_include reads every .md file with jupytext (~20 ms each, on every
    file of every language build and again per page) before it looks at `include`, which only
    names notebooks here: look at `include` first. The answer is the same: it can only be True
    for a path that matches an `include` pattern."""
    original = jupyter.should_include
    if getattr(original, "include_first", False):
        return

    def should_include(file: Any) -> bool:
        if file.abs_src_path is None:
            return False
        path = PurePath(file.abs_src_path)
        if not any(path.match(pattern) for pattern in jupyter.config["include"]):
            return False
        return original(file)

    should_include.include_first = True  # type: ignore[attr-defined]
    jupyter.should_include = should_include


def on_pre_build(config: Any) -> None:
    if getattr(_i18n(config), "building", False):
        return  # i18n's nested per-language build: the outer one wrote the files
    _nav_reported.clear()  # a new build (mkdocs serve): report the nav's problems again
    root = Path(config.config_file_path).resolve().parent
    # The pages' programs and recordings are checked once for this build (every language), and
    # their recording states computed once per state of the repository, for this hook and every
    # language's pages.
    markdown_ext.hold_inputs(root, True)
    site = markdown_ext._load(root)
    if site.files_written:
        return  # a prose save on a page without programs: the generated files still hold
    site.files_written = True
    try:
        written, _, removed = write_site_files(root, site.programs, site.states)
    except Exception as error:  # noqa: BLE001 - reported as a build error, not a traceback
        log.error("generating the site files failed: %s; run `python -m tools site-files` to see "
                  "the details", error)
        return
    if written or removed:
        log.info("site files: %d written, %d removed", written, removed)


def on_env(env: Any, config: Any, files: Files) -> Any:
    """Compiled page templates kept in the build cache (Jinja's own bytecode cache, keyed by each
    template's source): every build, and each language's build under mkdocs-static-i18n, makes
    a new template environment that otherwise compiles Material's templates again (~0.5 s a
    build, most of a `mkdocs serve` save of a small page)."""
    folder = cache_dir(_ROOT[0])
    if folder is not None and getattr(env, "bytecode_cache", None) is None:
        from jinja2 import FileSystemBytecodeCache

        try:
            (folder / "jinja").mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = FileSystemBytecodeCache(str(folder / "jinja"))
        except OSError:
            pass  # a read-only disk: templates are compiled as before
    return env


@event_priority(-200)  # after mkdocs-static-i18n (-100) has built the other languages
def on_post_build(config: Any) -> None:
    if not getattr(_i18n(config), "building", False):
        markdown_ext.hold_inputs(Path(config.config_file_path).resolve().parent, False)
        prune(_ROOT[0])  # build cache entries unused for a month


def on_build_error(error: Exception) -> None:
    markdown_ext.hold_inputs(_ROOT[0], False)


class NotebookPageFile(File):
    """A .ipynb file that MkDocs treats as a page, so that mkdocs-jupyter renders it."""

    def is_documentation_page(self) -> bool:
        return True


def _jupyter(config: Any) -> Any:
    for plugin in config.plugins.values():
        if type(plugin).__module__ == "mkdocs_jupyter.plugin":
            return plugin
    return None


def _plain_files_only(files: Files, config: Any) -> Files:
    """Publish only plain files of docs/: a symbolic link (`docs/assets/leak.txt ->
    /etc/passwd`) or a special file is left out with an error, so `--strict` fails naming it."""
    docs = Path(config.docs_dir).resolve()
    for file in list(files):
        source = Path(file.abs_src_path) if file.abs_src_path else None
        if source is None:
            continue  # generated in memory
        problem = None
        if any(part.is_symlink() for part in (source, *source.parents) if docs in (part, *part.parents)):
            problem = "is a symbolic link (or lies under one)"
        elif source.exists() and not source.is_file():
            problem = "is not a regular file"
        elif file.src_uri.endswith(".md"):
            try:  # MkDocs would stop with a UnicodeDecodeError traceback
                read_page(source, "")
            except SnippetError as error:
                rel = source.relative_to(docs.parent) if source.is_relative_to(docs.parent) else source
                log.error("%s:%d: %s", rel, error.line, error.message)
                files.remove(file)
                continue
        if problem:
            rel = source.relative_to(docs.parent) if source.is_relative_to(docs.parent) else source
            log.error("%s: %s; the site publishes only plain files from docs/: copy the file there "
                      "instead, or remove it", rel, problem)
            files.remove(file)
    return files


def _notebook_pages(files: Files, config: Any) -> Files:
    """Make notebooks pages again: mkdocs-static-i18n rebuilds every File as a plain File,
    dropping mkdocs-jupyter's wrapper, so the notebook would be copied as raw JSON to its page URL
    and --strict would not notice (static-i18n#198)."""
    i18n, jupyter = _i18n(config), _jupyter(config)
    if jupyter is None:
        return files
    lang = i18n.current_language if i18n else ""
    for file in list(files):
        if file.src_uri.endswith(".ipynb") and jupyter.should_include(file):
            page_file = NotebookPageFile.__new__(NotebookPageFile)
            page_file.__dict__.update(vars(file))
            # The language switcher reads alternates: the twin notebook has the same name.
            current = _prefix(lang, config)
            base = file.url[len(current):] if file.url.startswith(current) else file.url
            page_file.alternates = dict(getattr(file, "alternates", {}))
            for other in getattr(i18n, "build_languages", None) or []:
                page_file.alternates[other] = SimpleNamespace(url=_prefix(other, config) + base)
            files.remove(file)
            files.append(page_file)
    return files


def nav_entries(nav: object, title: str | None = None) -> list[tuple[str | None, str]]:
    """(title or None, path) of every page entry of a MkDocs nav, in order (links excluded)."""
    found: list[tuple[str | None, str]] = []
    if isinstance(nav, list):
        for item in nav:
            found += nav_entries(item)
    elif isinstance(nav, dict):
        for key, value in nav.items():
            found += nav_entries(value, str(key))
    elif isinstance(nav, str) and "://" not in nav and not nav.startswith(("/", "#", "mailto:")):
        found.append((title, nav))
    return found


def _nav_line(config_text: str, path: str) -> int:
    """1-based line of a nav entry naming `path` in mkdocs.yml (after `nav:`; 1 if not found)."""
    inside = False
    entry = re.compile(rf"""(?:^-|:)\s*["']?{re.escape(path)}["']?\s*(?:#.*)?$""")
    for number, line in enumerate(config_text.splitlines(), start=1):
        if re.match(r"^nav\s*:", line):
            inside = True
        elif inside and entry.search(line.strip()):
            return number
    return 1


def nav_problems(config_path: Path, nav: object, docs_dir: Path, languages: list[str]) -> list[str]:
    """"mkdocs.yml:LINE: …" for each nav entry whose page is missing in a language's folder
    (docs/<lang>/…): MkDocs with mkdocs-static-i18n would build every page with a link to it
    labelled "None", and --strict would pass."""
    try:
        text = Path(config_path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    problems = []
    for title, path in nav_entries(nav):
        missing = [f"docs/{lang}/{path}" if lang else f"docs/{path}" for lang in languages or [""]
                   if not (docs_dir / lang / path).is_file()]
        if missing:
            named = f"'{title}: {path}'" if title else f"'{path}'"
            problems.append(f"{Path(config_path).name}:{_nav_line(text, path)}: nav entry {named} "
                            f"names no page: {', '.join(missing)} does not exist; fix the path in "
                            "nav, or add the page (in every language)")
    return problems


_nav_reported: set[str] = set()


def _check_nav(config: Any) -> None:
    i18n = _i18n(config)
    languages = [str(getattr(lang, "locale", None) or lang.get("locale"))
                 for lang in (i18n.config.languages if i18n else [])]
    for problem in nav_problems(Path(config.config_file_path), config.nav,
                                Path(config.docs_dir), languages):
        if problem not in _nav_reported:  # i18n builds once per language in one process
            _nav_reported.add(problem)
            log.error("%s", problem)


@event_priority(-110)  # after mkdocs-static-i18n (-100), before MkDocs copies anything
def on_files(files: Files, config: Any) -> Files:
    _check_nav(config)  # after on_pre_build wrote the generated notebook pages
    return _notebook_pages(_plain_files_only(files, config), config)


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """Keep notebook pages out of the search index (set before the search plugin reads
    page.meta in on_page_context): they repeat their article's prose and code. Take their large
    inlined stylesheets out of the page until on_post_page puts a shared file's link in their
    place: every later step (the search plugin's attribute regex, the template, the other hooks)
    would otherwise go through ~570 kB of CSS per notebook page (~15 ms)."""
    if isinstance(page.file, NotebookPageFile):
        page.meta.setdefault("search", {})["exclude"] = True
        styles: list[tuple[str, str]] = []

        def set_aside(element: str, css: str) -> str:
            if len(css) < SHARED_STYLE_MIN:
                return element
            styles.append((element, css))
            return _style_marker(len(styles) - 1)

        html = _replace_elements(html, _STYLE_OPEN, "</style>", set_aside)
        page.notebook_styles = styles
    return html


def _style_marker(index: int) -> str:
    return f"<!--tools-notebook-style-{index}-->"


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Move the large stylesheets mkdocs-jupyter inlines into each notebook page to a shared
    file (set aside by on_page_content), and drop scripts that would load code from another
    host."""
    if not isinstance(page.file, NotebookPageFile):
        return output
    styles = getattr(page, "notebook_styles", [])
    page.notebook_styles = []  # the build keeps every page: do not keep ~570 kB for each
    values = {value for html in (output, *(css for _, css in styles)) for value in _class_attributes(html)}
    used = {name for value in values for name in value.split()}

    def shared(element: str, css: str) -> str:
        if len(css) < SHARED_STYLE_MIN:
            return element
        css = _cached_used_css(css, used)
        name = f"assets/notebooks/jupyter-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
        path = Path(config.site_dir) / name
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(css, encoding="utf-8")
        return f'<link rel="stylesheet" href="{get_relative_url(name, page.url)}">'

    # nbconvert makes every cell's input a Tab stop; only boxes that scroll need one, and
    # docs/assets/javascripts/site.js adds it to those.
    output = output.replace('<div class="jp-Cell-inputWrapper" tabindex="0">',
                            '<div class="jp-Cell-inputWrapper">')
    for index, (element, css) in enumerate(styles):
        output = output.replace(_style_marker(index), shared(element, css), 1)
    output = _replace_elements(output, _STYLE_OPEN, "</style>", shared)  # any left in the template
    return _replace_elements(output, _SCRIPT_OPEN, "</script>",
                             lambda element, body: "" if "http://" in body or "https://" in body else element)


def _replace_elements(html: str, opening: re.Pattern[str], closing: str, replace: Any) -> str:
    """`html` with each element from a match of `opening` to the next `closing` replaced by
    replace(element, body): what `re.sub(opening + "(.*?)" + closing, …, flags=re.S)` does, without
    the regex engine's per-character steps over the ~570 kB of an inlined stylesheet (~10 ms a
    notebook page)."""
    out = []
    copied = 0
    start = 0
    while (match := opening.search(html, start)) is not None:
        end = html.find(closing, match.end())
        if end < 0:
            break  # no closing tag after this opening one: no later one has one either
        stop = end + len(closing)
        element = html[match.start():stop]
        replacement = replace(element, html[match.end():end])
        if replacement != element:
            out += [html[copied:match.start()], replacement]
            copied = stop
        start = stop
    return "".join(out) + html[copied:] if out else html


_CLASS_ATTR = re.compile(r'class="([^"]*)"')
_WORD = re.compile(r"\w")


def _class_attributes(html: str) -> list[str]:
    """The values of every `class="…"` in `html` (the name not part of a longer word): what
    `\bclass="([^"]*)"` finds, found ~25 times faster (a leading \b defeats the regex engine's
    literal search; a notebook page is ~700 kB)."""
    return [match[1] for match in _CLASS_ATTR.finditer(html)
            if not match.start() or not _WORD.match(html, match.start() - 1)]
_SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_INNER_ROOT = re.compile(r"\S\s*[\s>+~]\s*:root\b")


def used_css(css: str, used: set[str]) -> str:
    """The rules of `css` that can match a page whose elements have the classes `used`: a rule
    is dropped when every selector of it names a class the page lacks (JupyterLab's stylesheet
    is ~570 kB, ~86 kB gzip, for the dozen cell classes a static notebook page uses)."""

    def rules(outline: tuple) -> list[str]:
        out = []
        for kind, head, body in outline:
            if kind == "rule":
                if any(classes <= used for classes in head):
                    out.append(body)
            elif kind == "group":
                inner = rules(body)
                if inner:
                    out.append(f"{head}{{{''.join(inner)}}}")
            else:
                out.append(body)
        return out

    return "".join(rules(_css_outline(css)))


@functools.lru_cache(maxsize=4)  # every notebook page inlines the same stylesheet
def _css_outline(css: str) -> tuple:
    """The stylesheet parsed once (tinycss2, ~1 s for JupyterLab's): per rule, the class sets
    of its selectors and its text; @media and @supports blocks with their rules inside."""
    import tinycss2

    def outline(parsed: list) -> tuple:
        out = []
        for rule in parsed:
            if rule.type == "qualified-rule":
                prelude = tinycss2.serialize(rule.prelude)
                # ":root" after another compound (".jupyter-wrapper :root", the nbconvert
                # template's 80 kB of icon data URLs) can never match: the root element has no
                # ancestor. Such a selector gets no class set, so it never keeps its rule.
                classes = tuple(frozenset(_SELECTOR_CLASS.findall(selector))
                                for selector in prelude.split(",")
                                if not _INNER_ROOT.search(selector))
                out.append(("rule", classes, rule.serialize()))
            elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") \
                    and rule.content is not None:
                inner = outline(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                         skip_whitespace=True))
                out.append(("group", f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}", inner))
            elif rule.type == "at-rule":
                out.append(("at", None, rule.serialize()))
        return tuple(out)

    return outline(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def _cached_used_css(css: str, used: set[str]) -> str:
    """used_css through the build cache, keyed by the stylesheet, the classes and this module's
    code (tools.site.cache): a warm build parses no stylesheet."""
    return cached_text(_ROOT[0], "used-css", [css, " ".join(sorted(used)), _module_source()],
                       lambda: used_css(css, used), distributions=("tinycss2",))


@functools.lru_cache(maxsize=1)
def _module_source() -> bytes:
    return Path(__file__).read_bytes()
