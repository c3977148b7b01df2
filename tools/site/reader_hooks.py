"""MkDocs hook: one search index, 404 page and sitemap per language.

mkdocs-static-i18n (1.3.1) builds every language into the same site_dir, one after the other,
and merges all search entries into a single `search/search_index.json`; the last language
build also overwrites `404.html` and `sitemap.xml`. This hook gives each language its own:

- `search/search_index.json` (default language) and `<lang>/search/search_index.json`, with
  locations relative to the language root. overrides/main.html points Material's `base` at the
  language root, so a page loads, searches and links to its own language only.
- `404.html` (default language) and `<lang>/404.html`: both rendered as error templates, so
  their links are absolute from `site_url`'s path and work under a project sub-path.
- `sitemap.xml` (default language pages) and `<lang>/sitemap.xml` (that language's pages);
  Material fetches `sitemap.xml` next to its `base`, so each language root needs one.

Self-contained on purpose (MkDocs loads hooks by file path, without the repository on sys.path).
"""

from __future__ import annotations

import atexit
import gzip
import json
import logging
import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.site_hooks")

PER_LANGUAGE_TEMPLATES = ("404.html", "sitemap.xml")
_DEFAULT_OUTPUT: dict[str, str] = {}


def _i18n(config: Any) -> Any:
    return config.plugins.get("i18n")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if path.name == "sitemap.xml":
        with gzip.GzipFile(path.with_suffix(".xml.gz"), "wb", mtime=0) as handle:
            handle.write(text.encode("utf-8"))


@event_priority(-200)  # after i18n (-100) has rendered the template for this language
def on_post_template(output_content: str, *, template_name: str, config: Any) -> str | None:
    i18n = _i18n(config)
    if i18n is None or template_name not in PER_LANGUAGE_TEMPLATES:
        return None
    if i18n.current_language == i18n.default_language:
        _DEFAULT_OUTPUT[template_name] = output_content
        return None
    # A later language build: keep its page in its own folder, and give the site root
    # back the default language's page (MkDocs writes whatever this returns there).
    _write(Path(config.site_dir) / i18n.current_language / template_name, output_content)
    return _DEFAULT_OUTPUT.get(template_name, output_content)


# Python-Markdown's toc extension writes one English tooltip on every heading's permalink;
# markdown_extensions are shared by all languages, so the page's language is set here.
PERMALINK_TITLE = 'title="Permanent link"'
PERMALINK_TITLES = {"zh": "永久链接"}


@event_priority(100)  # before the search plugin's on_config, which loads the dictionary
def on_config(config: Any) -> None:
    """Write the jieba user dictionary of the glossary's terms (tools/site/search_terms.py)
    that mkdocs.yml's `search.jieba_dict_user` names."""
    from tools.site.search_terms import write_jieba_user_dictionary

    write_jieba_user_dictionary(Path(config.config_file_path).parent)


def on_page_content(html: str, *, page: Any, config: Any, files: Any) -> str | None:
    title = PERMALINK_TITLES.get(config.theme.get("language", ""))
    if title and PERMALINK_TITLE in html:
        html = html.replace(PERMALINK_TITLE, f'title="{title}"')
    return render_math(html, Path(config.config_file_path).parent)


# ---------------------------------------------------------------------------------------------
# Formulas rendered at build time with the pinned KaTeX (node_modules/katex, `make assets`):
# the page needs KaTeX's stylesheet and fonts, not its JavaScript (about 75 KB gzip), and shows
# no raw TeX while it loads. Without node or KaTeX the page keeps arithmatex's \( … \) and
# overrides/main.html loads KaTeX to render it in the browser, as before.

_INLINE = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.S)
_BLOCK = re.compile(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', re.S)
_NODE_SCRIPT = r"""
const katex = require(process.env.KATEX_MODULE);
const lines = require("readline").createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const { tex, display } = JSON.parse(line);
  let out;
  try {
    out = { html: katex.renderToString(tex, { displayMode: display, throwOnError: false }) };
  } catch (error) {
    out = { error: String(error) };
  }
  process.stdout.write(JSON.stringify(out) + "\n");
});
"""


class _Katex:
    """One node process for the whole build (all languages), fed one formula per line."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.failed = False
        self.cache: dict[tuple[str, bool], str | None] = {}

    def _start(self, root: Path) -> bool:
        module = root / "node_modules" / "katex"
        node = shutil.which("node")
        if not node or not (module / "package.json").is_file():
            log.info("KaTeX server-side rendering off (no node or node_modules/katex): math renders in the browser")
            self.failed = True
            return False
        self.process = subprocess.Popen(
            [node, "-e", _NODE_SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, encoding="utf-8", env={**os.environ, "KATEX_MODULE": str(module)},
        )
        atexit.register(self.process.kill)
        return True

    def render(self, root: Path, tex: str, display: bool) -> str | None:
        key = (tex, display)
        if key in self.cache:
            return self.cache[key]
        if self.failed or (self.process is None and not self._start(root)):
            return None
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline() or '{"error": "node exited"}')
        if "error" in reply:
            log.warning("KaTeX could not render %r: %s", tex, reply["error"])
        self.cache[key] = reply.get("html")
        return self.cache[key]


_KATEX = _Katex()


def render_math(html: str, root: Path) -> str:
    if 'class="arithmatex"' not in html:
        return html

    def replace(match: re.Match, display: bool) -> str:
        rendered = _KATEX.render(root, unescape(match.group(1)), display)
        if rendered is None:
            return match.group(0)
        tag = "div" if display else "span"
        return f'<{tag} class="arithmatex" data-katex-rendered>{rendered}</{tag}>'

    html = _BLOCK.sub(lambda m: replace(m, True), html)
    return _INLINE.sub(lambda m: replace(m, False), html)


def latest_per_location(docs: list[dict]) -> list[dict]:
    """One search document per location, the latest one (in the order locations first appear).

    Under `mkdocs serve --dirty` Material keeps the previous index and merges each rebuild into it
    by the first rebuilt page's path, which cannot match the merged pages of mkdocs-static-i18n:
    without this every save appended the whole site again (496 → 990 → 1,978 → … documents)."""
    latest: dict[str, dict] = {}
    for doc in docs:
        latest[doc["location"]] = doc
    return list(latest.values())


def split_search_index(data: dict, *, languages: list[str], default: str) -> dict[str, dict]:
    """Split a merged Material search index into one index per language.

    A document whose location starts with `<lang>/` belongs to that (non-default) language and
    is re-rooted there; every other document belongs to the default language."""
    docs: dict[str, list[dict]] = {lang: [] for lang in languages}
    for doc in latest_per_location(data.get("docs", [])):
        head, _, rest = doc["location"].partition("/")
        if head in docs and head != default:
            docs[head].append({**doc, "location": rest})
        else:
            docs[default].append(doc)
    indexes = {}
    for lang in languages:
        name_articles(docs[lang])
        config = dict(data.get("config", {}))
        # The default language's index keeps every configured lunr language (English words
        # appear in Chinese pages); another language searches with its own only.
        if lang != default:
            config["lang"] = [lang]
        indexes[lang] = {"config": config, "docs": docs[lang]}
    return indexes


def name_articles(docs: list[dict]) -> None:
    """Give each chapter's page entry the name of its article ("3. 核心算法原理 · <article>"):
    several articles have chapters of the same title, and a result list showed them alike.
    An article is a folder whose index page (location "<folder>/") is in the same index."""
    articles = {doc["location"]: doc["title"] for doc in docs
                if re.fullmatch(r"[^/#]+/", doc["location"])}
    for doc in docs:
        folder, _, rest = doc["location"].partition("/")
        if rest and "#" not in rest and f"{folder}/" in articles:
            doc["title"] = f"{doc['title']} · {articles[folder + '/']}"


# Material 9.8's query segmenter for Chinese (integrations/search/query/segment) looks up every
# slice of a typed run of Han characters in the index except the whole run (`j < length`), so
# a query that is exactly one index token (a glossary term such as 应用程序编程接口) is searched
# as its shorter pieces and the term itself is never matched. The one comparison is corrected
# in the built worker; a Material whose worker no longer has it is reported (strict build).
_SEGMENT_LOOP = re.compile(r"for\(let (\w+)=(\w+)\+1;\1(<=?)(\w+)\.length;\1\+\+\)\4\.slice\(\2,\1\)in ")


def patch_search_worker(site: Path) -> None:
    workers = sorted((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    for worker in workers:
        text = worker.read_text(encoding="utf-8")
        loops = list(_SEGMENT_LOOP.finditer(text))
        if len(loops) != 1:
            log.warning("%s: Material's Chinese query segmenter was not found (%d matches); whole "
                        "glossary terms may not be found by search (tools/site/reader_hooks.py)",
                        worker, len(loops))
        elif loops[0].group(3) == "<":  # not patched yet (`mkdocs serve --dirty` keeps the copy)
            loop = loops[0]
            fixed = loop.group(0).replace(f"{loop.group(1)}<{loop.group(4)}",
                                          f"{loop.group(1)}<={loop.group(4)}", 1)
            worker.write_text(text[: loop.start()] + fixed + text[loop.end():], encoding="utf-8")


def _dedupe_search_plugin(config: Any) -> None:
    """The index Material keeps for the next dirty rebuild: one entry per location, so a long
    `mkdocs serve` stays flat in memory too (its previous index is this very object)."""
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    index = getattr(plugin, "search_index", None)
    entries = getattr(index, "entries", None)
    if isinstance(entries, list) and all(isinstance(e, dict) and "location" in e for e in entries):
        entries[:] = latest_per_location(entries)


@event_priority(-200)  # after i18n (-100) has written the merged index
def on_post_build(*, config: Any) -> None:
    i18n = _i18n(config)
    if i18n is None or i18n.building:
        return  # a nested per-language build: the outer build splits the merged index
    _dedupe_search_plugin(config)
    site = Path(config.site_dir)
    merged = site / "search" / "search_index.json"
    if not merged.is_file():
        return
    patch_search_worker(site)
    data = json.loads(merged.read_text(encoding="utf-8"))
    default = i18n.default_language
    indexes = split_search_index(data, languages=list(i18n.build_languages), default=default)
    for lang, index in indexes.items():
        path = merged if lang == default else site / lang / "search" / "search_index.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        log.info("search index for %s: %d documents, %d bytes", lang, len(index["docs"]), path.stat().st_size)
