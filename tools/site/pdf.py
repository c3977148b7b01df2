"""The offline edition: one PDF per language of the whole edition, printed from the built site.

    python -m tools pdf [--site site] [--out build/pdf] [--lang zh] [--lang en]

Reads a site built by `mkdocs build` (never Markdown, never snippet code), assembles one print
page per language from the built HTML pages in the nav order of mkdocs.yml (the five articles,
the glossary and About; not the home page, the execution report or the notebook pages), and
prints it with the Chromium the browser tests use (tools.browser) into
`<out>/<PDF_STEM>.<lang>.pdf`.

Why not mkdocs-print-site-plugin: with mkdocs-static-i18n (which rebuilds the whole site once per
language) the plugin (2.9, tried on this site) writes a single `print_page/` at the site root,
holding the last language built (English), and no print page for Chinese; its table of contents
title is English on every language (print-site#70, #131). Assembling the page here from the
built HTML keeps one source of truth (the site as published) and costs no extra MkDocs build.

What the assembly does to each page's `<article>`: ids are prefixed with the page's number so
the pages can share one document (links are rewritten to match: a link to another page of the
edition becomes an in-document link, so it works in the PDF; a link to a page or file outside the
edition becomes an absolute link to the published site); headerlinks and code-line anchors go;
collapsibles open; CPU/GPU and other content tabs are laid out one after the other under their
labels; long outputs are shown whole. The outline of the PDF comes from the headings
(Chromium's document outline); the contents page links every page and gives its page number,
taken from a first print (the second print only fills in the numbers).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import posixpath
import re
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import yaml
from bs4 import BeautifulSoup, Tag

from tools.site.render import DEFAULT_LANG, page_url

HELP = "print one PDF per language of the whole edition from the built site"

PDF_STEM = "open-vs-closed-llms"
PRINT_CSS = Path(__file__).with_name("pdf.css")
# Pages of the nav that are not part of the printed edition.
EXCLUDED_PAGES = ("index.md", "report.md")
EXCLUDED_FOLDERS = ("notebooks/",)

# The strings the print page adds around the site's pages, one table per language.
LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "subtitle": "五篇关于开源与闭源大语言模型的文章：代码可运行，输出真实记录",
        "contents": "目录",
        "built": "构建于 {date}（UTC），提交 {commit}",
        "dirty": "（含未提交的修改）",
        "online": "在线版：",
        "about": "本 PDF 由网站的构建结果生成，内容与在线版相同："
                 "页面上的每段输出和图表都是程序实际运行记录下来的结果。",
    },
    "en": {
        "subtitle": "Five articles on open- and closed-source large language models, "
                    "with executed code and recorded outputs",
        "contents": "Contents",
        "built": "Built on {date} (UTC) from commit {commit}",
        "dirty": " (with uncommitted changes)",
        "online": "Online edition: ",
        "about": "This PDF is printed from the built website and carries the same content: "
                 "every output and figure on its pages was recorded from a real run of the code.",
    },
}


class PdfError(RuntimeError):
    """The edition cannot be printed (a page missing from the built site, no browser, …)."""


# ------------------------------------------------------------------------------ what to print


@dataclass(frozen=True)
class EditionPage:
    """One page of the printed edition, in reading order."""

    docs_path: str  # relative to docs/<lang>/, e.g. "commercialization/01-background.md"
    section: str | None  # the nav section (article label) the page belongs to, in the default language
    first_in_section: bool


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml carries !!python and !ENV tags; the nav needs none of them."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def read_config(config_file: Path) -> dict:
    return yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}


def edition_pages(config: dict) -> list[EditionPage]:
    """The nav's pages in order, without the home page, the report and the notebooks."""
    found: list[EditionPage] = []

    def walk(items: Sequence, section: str | None) -> None:
        first = True
        for item in items:
            if isinstance(item, str):
                entries = [(None, item)]
            elif isinstance(item, dict):
                entries = list(item.items())
            else:
                continue
            for title, value in entries:
                if isinstance(value, list):
                    # An article is a nav section that starts with a folder's index.md; other
                    # sections (五篇文章, 参考) only group pages.
                    walk(value, title if _is_article(value) else None)
                    continue
                if not isinstance(value, str) or value in EXCLUDED_PAGES or value.startswith(EXCLUDED_FOLDERS):
                    continue
                found.append(EditionPage(value, section, first and section is not None))
                first = False

    walk(config.get("nav") or [], None)
    return found


def _is_article(items: Sequence) -> bool:
    """A section is an article when its first page is a folder's index.md."""
    if not items:
        return False
    first = items[0]
    if isinstance(first, dict):
        first = next(iter(first.values()), None)
    return isinstance(first, str) and first.endswith("/index.md")


def _i18n_language(config: dict, lang: str) -> dict:
    """The i18n plugin's settings for `lang` ({} without the plugin)."""
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and "i18n" in plugin:
            for language in plugin["i18n"].get("languages", []):
                if language.get("locale") == lang:
                    return language
    return {}


def section_labels(config: dict, lang: str) -> dict[str, str]:
    """Nav section labels in `lang` (the i18n plugin's nav_translations), keyed by the default label."""
    return dict(_i18n_language(config, lang).get("nav_translations") or {})


def site_name(config: dict, lang: str) -> str:
    return str(_i18n_language(config, lang).get("site_name") or config.get("site_name") or "")


# ------------------------------------------------------------------------------ assembling


@dataclass(frozen=True)
class BuildInfo:
    date: str  # YYYY-MM-DD (UTC)
    commit: str
    dirty: bool = False  # the working tree had uncommitted changes

    @classmethod
    def from_repository(cls, root: Path) -> BuildInfo:
        try:
            commit = subprocess.run(
                ["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True, check=True
            ).stdout.strip()
            dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                   capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            commit, dirty = "unknown", ""
        return cls(date=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"), commit=commit, dirty=bool(dirty))


@dataclass
class _Assembled:
    html: str
    toc_ids: list[str] = field(default_factory=list)  # anchor of each contents entry, in order
    headings: list[str] = field(default_factory=list)  # text of every heading, in order


def _site_path(lang: str, docs_path: str) -> str:
    """Site path of a page ("commercialization/01-background/", "en/about/")."""
    return page_url(f"{lang}/{docs_path}")


def _anchor(number: int, fragment: str = "") -> str:
    return f"p{number}" + (f"-{fragment}" if fragment else "")


class _PageRewriter:
    """Rewrites one built page's article so it can live in the print document."""

    def __init__(self, *, number: int, site_path: str, canonical: str, page_numbers: dict[str, int],
                 ids: dict[int, dict[str, str]], demote: int) -> None:
        self.number = number
        self.site_path = site_path  # directory of the page, e.g. "en/about/"
        self.canonical = canonical  # absolute URL of the page on the published site
        self.page_numbers = page_numbers  # site path → page number, for the pages of the edition
        self.ids = ids  # page number → {id in the built page: id in the print page}
        self.demote = demote

    def target(self, number: int, fragment: str) -> str:
        """The print page's id for `#fragment` of page `number` (the page itself if unknown)."""
        return self.ids.get(number, {}).get(unquote(fragment), _anchor(number))

    def link(self, href: str) -> str:
        if href.startswith("#"):
            return "#" + self.target(self.number, href[1:])
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("mailto:", "data:")):
            return href
        target = posixpath.normpath(posixpath.join(self.site_path, parts.path)) if parts.path else self.site_path
        target = "" if target in (".", "") else target.lstrip("/")
        for candidate in (target, target + "/", target.removesuffix("index.html")):
            number = self.page_numbers.get(candidate)
            if number is not None:
                return "#" + (self.target(number, parts.fragment) if parts.fragment else _anchor(number))
        return urljoin(self.canonical, href)  # outside the edition: the published site

    def asset(self, src: str) -> str:
        """A file the print page loads (images): relative to the site root, where it lives."""
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or src.startswith("data:"):
            return src
        return posixpath.normpath(posixpath.join(self.site_path, parts.path)).lstrip("/")

    def rewrite(self, article: Tag) -> None:
        # (.pdf-edition: the link to this PDF, in a site built with PDF_DIR: tools/site/pdf_hooks.py)
        for tag in article.select("a.headerlink, a[id^='__codelineno'], .md-content__button, .md-source-file, "
                                  ".pdf-edition"):
            tag.decompose()
        for details in article.find_all("details"):
            details["open"] = ""
        for tabs in article.select(".tabbed-set"):
            _unfold_tabs(tabs)
        for toggle in article.select(".snippet-long__toggle, .snippet-long__label"):
            toggle.decompose()
        for tag in article.find_all(True):
            if tag.find_parent("svg") is not None or tag.name == "svg":
                continue  # diagram ids are unique (hash-named) and referenced inside the SVG
            for attr in ("id", "for", "aria-labelledby", "aria-describedby", "aria-controls"):
                if tag.has_attr(attr):
                    tag[attr] = " ".join(self.target(self.number, value) for value in str(tag[attr]).split())
            if tag.name == "a" and tag.has_attr("name"):
                del tag["name"]
            if tag.name == "a" and tag.has_attr("href"):
                tag["href"] = self.link(str(tag["href"]))
                if tag.has_attr("download"):
                    del tag["download"]
            if tag.name in ("img", "source") and tag.has_attr("src"):
                tag["src"] = self.asset(str(tag["src"]))
                if tag.has_attr("loading"):
                    del tag["loading"]  # lazy images may still be missing when the page is printed
        if self.demote:
            for heading in article.find_all(re.compile(r"^h[1-6]$")):
                heading.name = f"h{min(6, int(heading.name[1]) + self.demote)}"


def _unfold_tabs(tabs: Tag) -> None:
    """Content tabs print one after the other, each under its label (only one shows on screen)."""
    labels = [label.get_text(" ", strip=True) for label in tabs.select(":scope > .tabbed-labels > label")]
    blocks = tabs.select(":scope > .tabbed-content > .tabbed-block")
    soup_new = BeautifulSoup("", "html.parser")
    unfolded = soup_new.new_tag("div", attrs={"class": "pdf-tabs"})
    for index, block in enumerate(blocks):
        label = soup_new.new_tag("p", attrs={"class": "pdf-tab-label"})
        label.string = labels[index] if index < len(labels) else ""
        unfolded.append(label)
        block.extract()
        unfolded.append(block)
    tabs.replace_with(unfolded)


def _read_page(site_dir: Path, site_path: str) -> BeautifulSoup:
    path = site_dir / site_path / "index.html"
    if not path.is_file():
        raise PdfError(f"{path}: page missing from the built site (run `make build` first, or check the nav)")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def assemble(site_dir: Path, lang: str, pages: Sequence[EditionPage], *, config: dict, info: BuildInfo) -> _Assembled:
    """The print page of one language: title page, contents, then every page's article."""
    labels = LABELS.get(lang, LABELS["en"])
    translations = section_labels(config, lang) if lang != DEFAULT_LANG else {}
    paths = [_site_path(lang, page.docs_path) for page in pages]
    numbers = {path: index + 1 for index, path in enumerate(paths)}
    soups = [_read_page(site_dir, path) for path in paths]

    first = soups[0]
    html_tag, body = first.find("html"), first.find("body")
    stylesheets = [
        posixpath.normpath(posixpath.join(paths[0], str(link["href"])))
        for link in first.select("link[rel=stylesheet]")
        if not urlsplit(str(link["href"])).scheme
    ]
    stylesheets = list(dict.fromkeys([*stylesheets, "assets/vendor/katex/katex.min.css"]))
    # The language's home page on the published site, from the first page's canonical URL.
    canonical = first.select_one("link[rel=canonical]")
    depth = paths[0].removeprefix("" if lang == DEFAULT_LANG else f"{lang}/").count("/")
    home = urljoin(str(canonical["href"]), "../" * depth) if canonical else ""
    title = site_name(config, lang)

    doc = BeautifulSoup("<!doctype html><html><head></head><body></body></html>", "html.parser")
    out_html, out_head, out_body = doc.find("html"), doc.find("head"), doc.find("body")
    out_html["lang"] = html_tag.get("lang", lang) if html_tag else lang
    out_head.append(doc.new_tag("meta", attrs={"charset": "utf-8"}))
    doc_title = doc.new_tag("title")
    doc_title.string = title
    out_head.append(doc_title)
    for href in stylesheets:
        if (site_dir / href).is_file():
            out_head.append(doc.new_tag("link", attrs={"rel": "stylesheet", "href": href}))
    style = doc.new_tag("style")
    style.string = PRINT_CSS.read_text(encoding="utf-8")
    out_head.append(style)
    for key in ("dir", "data-md-color-scheme", "data-md-color-primary", "data-md-color-accent"):
        if body is not None and body.has_attr(key):
            out_body[key] = body[key]
    out_body["data-md-color-scheme"] = "default"  # paper is white

    # Title page.
    built = labels["built"].format(date=info.date, commit=info.commit) + (labels["dirty"] if info.dirty else "")
    cover = BeautifulSoup(
        f'<section class="pdf-cover">'
        f'<p class="pdf-cover__title">{html.escape(title)}</p>'
        f'<p class="pdf-cover__subtitle">{html.escape(labels["subtitle"])}</p>'
        f'<p class="pdf-cover__about">{html.escape(labels["about"])}</p>'
        f'<p class="pdf-cover__build">{html.escape(built)}</p>'
        + (f'<p class="pdf-cover__online">{html.escape(labels["online"])}'
           f'<a href="{html.escape(home)}">{html.escape(home)}</a></p>' if home else "")
        + "</section>",
        "html.parser",
    )
    out_body.append(cover)

    # Contents: article labels (nav sections) and page titles, each linking into the document.
    titles = []
    for soup in soups:
        h1 = soup.select_one("article.md-content__inner h1")
        titles.append(_heading_text(h1) if h1 else "")
    toc = ['<nav class="pdf-toc"><p class="pdf-toc__title">' + html.escape(labels["contents"]) + "</p><ol>"]
    toc_ids: list[str] = []
    for index, page in enumerate(pages):
        number = index + 1
        if page.first_in_section:
            label = translations.get(page.section, page.section) if page.section else titles[index]
            toc.append(_toc_entry(f"{_anchor(number)}-part", label, "pdf-toc__part"))
            toc_ids.append(f"{_anchor(number)}-part")
            if page.docs_path.endswith("/index.md"):
                continue  # the article's own title is its label
        css = "pdf-toc__chapter" if page.section else "pdf-toc__part"
        toc.append(_toc_entry(_anchor(number), titles[index], css))
        toc_ids.append(_anchor(number))
    toc.append("</ol></nav>")
    out_body.append(BeautifulSoup("".join(toc), "html.parser"))

    articles = []
    for path, soup in zip(paths, soups):
        article = soup.select_one("article.md-content__inner")
        if article is None:
            raise PdfError(f"{site_dir / path / 'index.html'}: no <article class=\"md-content__inner\">")
        articles.append(article)
    ids = {index + 1: _short_ids(article, index + 1) for index, article in enumerate(articles)}

    for index, (page, path, soup, article) in enumerate(zip(pages, paths, soups, articles)):
        number = index + 1
        page_canonical = soup.select_one("link[rel=canonical]")
        rewriter = _PageRewriter(
            number=number, site_path=path, canonical=str(page_canonical["href"]) if page_canonical else path,
            page_numbers=numbers, ids=ids, demote=1 if page.section else 0,
        )
        rewriter.rewrite(article)
        section = doc.new_tag("section", attrs={"class": "pdf-page md-typeset", "id": _anchor(number),
                                                "data-page": page.docs_path})
        if page.first_in_section and page.section:
            part = doc.new_tag("h1", attrs={"class": "pdf-part", "id": f"{_anchor(number)}-part"})
            part.string = translations.get(page.section, page.section)
            section.append(part)
        for child in list(article.children):
            section.append(child.extract())
        out_body.append(section)
    headings = [" ".join(heading.get_text("").split()) for heading in out_body.find_all(re.compile(r"^h[1-6]$"))]
    return _Assembled(html=str(doc), toc_ids=toc_ids, headings=headings)


def _short_ids(article: Tag, number: int) -> dict[str, str]:
    """Short, document-unique ids for one page's ids (Chinese slugs make PDF destination names
    longer than the PDF specification allows). Diagram SVGs keep theirs: they are hash-named,
    so unique, and referenced inside the SVG."""
    ids: dict[str, str] = {}
    for tag in article.find_all(id=True):
        if tag.name != "svg" and tag.find_parent("svg") is None:
            ids.setdefault(str(tag["id"]), _anchor(number, str(len(ids) + 1)))
    return ids


def _heading_text(heading: Tag) -> str:
    copy = BeautifulSoup(str(heading), "html.parser")
    for link in copy.select("a.headerlink"):
        link.decompose()
    return copy.get_text("", strip=True)


def _toc_entry(anchor: str, text: str, css: str) -> str:
    # The page number is filled in after a first print (print_edition); until then a placeholder
    # of the same width, so filling it in cannot move a line or a page break.
    return (f'<li class="{css}"><a href="#{html.escape(anchor)}"><span class="pdf-toc__text">{html.escape(text)}</span>'
            f'<span class="pdf-toc__page" data-anchor="{html.escape(anchor)}">000</span></a></li>')


# ------------------------------------------------------------------------------ printing


FOOTER = ('<div style="width:100%;font-size:8px;text-align:center;color:#666;font-family:sans-serif">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
# A4 is 595.28 x 841.89 pt. Chromium rounds page sizes to 0.96 pt steps: format="A4" and
# 210mm x 297mm both give 595.92 x 841.92 pt, wider than A4; 793 x 1121 CSS px give 594.96 x 840.96.
A4 = ("793px", "1121px")
MARGIN = {"top": "16mm", "bottom": "16mm", "left": "15mm", "right": "15mm"}


@contextlib.contextmanager
def _print_file(site_dir: Path, lang: str, text: str) -> Iterator[str]:
    """The print page, written at the site root (its links are relative to it), then removed."""
    path = site_dir / f".pdf-print-{lang}.html"
    path.write_text(text, encoding="utf-8")
    try:
        yield path.name
    finally:
        path.unlink(missing_ok=True)


def _anchor_pages(pdf: Path) -> dict[str, int]:
    """Page number (1-based) of every named destination of a PDF Chromium printed."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    pages = {}
    for name, destination in reader.named_destinations.items():
        with contextlib.suppress(Exception):
            pages[str(name).lstrip("/")] = reader.get_destination_page_number(destination) + 1
    return pages


def print_edition(site_dir: Path, out_dir: Path, langs: Sequence[str], *, config: dict, info: BuildInfo,
                  log=print) -> list[Path]:
    """Print one PDF per language; returns their paths."""
    from playwright.sync_api import sync_playwright

    from tools.browser import CHROMIUM, CHROMIUM_ARGS, serve_directory

    if not CHROMIUM.is_file():
        raise PdfError(f"no browser at {CHROMIUM}: run `make browser` (or set CHROMIUM_PATH)")
    pages = edition_pages(config)
    if not pages:
        raise PdfError("mkdocs.yml: the nav has no page for the edition")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with serve_directory(site_dir) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for lang in langs:
                started = time.monotonic()
                target = out_dir / f"{PDF_STEM}.{lang}.pdf"
                assembled = assemble(site_dir, lang, pages, config=config, info=info)
                with _print_file(site_dir, lang, assembled.html) as name:
                    page = browser.new_page()
                    try:
                        page.goto(f"{base}/{name}", wait_until="load", timeout=120_000)
                        page.evaluate("document.fonts.ready.then(() => true)")
                        # First print: only to learn where each contents entry lands (untagged,
                        # no outline: the same layout in about half the time).
                        _print(page, target, final=False)
                        numbers = _anchor_pages(target)
                        missing = [anchor for anchor in assembled.toc_ids if anchor not in numbers]
                        if missing:
                            raise PdfError(f"{target}: no destination for contents entries {missing[:5]}")
                        page.evaluate(
                            """(numbers) => document.querySelectorAll(".pdf-toc__page").forEach(
                                 (span) => { span.textContent = numbers[span.dataset.anchor]; })""",
                            {anchor: numbers[anchor] for anchor in assembled.toc_ids},
                        )
                        _print(page, target, final=True)
                    finally:
                        page.close()
                fix_outline_titles(target, assembled.headings)
                log(f"{target}: {target.stat().st_size / 1e6:.1f} MB, {len(pages)} site pages, "
                    f"{time.monotonic() - started:.1f} s")
                written.append(target)
        finally:
            browser.close()
    return written


def fix_outline_titles(pdf: Path, headings: Sequence[str]) -> int:
    """Chromium's outline joins the lines of a wrapped heading without a space ("large" +
    "models" → "largemodels"): give each outline entry its heading's text back. Returns how many
    entries changed."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    by_letters = {re.sub(r"\s+", "", heading): heading for heading in headings}
    writer = PdfWriter(pdf, incremental=True)  # appends the changed entries: the rest stays as printed
    outlines = writer.root_object.get("/Outlines")
    changed = 0
    stack = [outlines.get_object().get("/First")] if outlines is not None else []
    while stack:
        node = stack.pop()
        while node is not None:
            entry = node.get_object()
            title = str(entry.get("/Title", ""))
            heading = by_letters.get(re.sub(r"\s+", "", title))
            if heading is not None and heading != title:
                entry[NameObject("/Title")] = TextStringObject(heading)
                changed += 1
            if "/First" in entry:
                stack.append(entry["/First"])
            node = entry.get("/Next")
    if changed:
        with pdf.open("wb") as handle:
            writer.write(handle)
    return changed


def _print(page, target: Path, *, final: bool) -> None:
    """Print the loaded page to `target`; the final print is tagged (accessible structure) and
    has the document outline built from the headings."""
    page.pdf(path=str(target), width=A4[0], height=A4[1], margin=MARGIN, print_background=True,
             display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
             outline=final, tagged=final)


# ------------------------------------------------------------------------------ command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=None, help="built site (default: <root>/site)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: <root>/build/pdf)")
    parser.add_argument("--lang", action="append", default=None, help="language (repeatable; default: all built)")


def languages(config: dict) -> list[str]:
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and "i18n" in plugin:
            return [entry["locale"] for entry in plugin["i18n"].get("languages", []) if entry.get("build", True)]
    return [DEFAULT_LANG]


def run(args: argparse.Namespace) -> int:
    root = args.root
    config = read_config(root / "mkdocs.yml")
    site_dir = (args.site or root / "site").resolve()
    out_dir = (args.out or root / "build" / "pdf").resolve()
    if not (site_dir / "index.html").is_file():
        print(f"error: {site_dir} holds no built site: run `make build` (or pass --site)")
        return 2
    try:
        print_edition(site_dir, out_dir, args.lang or languages(config), config=config,
                      info=BuildInfo.from_repository(root))
    except PdfError as error:
        print(f"error: {error}")
        return 1
    return 0
