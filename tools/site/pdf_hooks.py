"""MkDocs hook: link the PDF edition (tools/site/pdf.py) from the pages that ask for it.

A page asks with the HTML comment `<!-- pdf-edition -->` (the home page and About, in both
languages). The PDFs are printed from a built site, so they exist only after a first build:
`make pdf` builds the site, prints the PDFs into build/pdf/, then builds again with
`PDF_DIR=build/pdf`. In that build this hook replaces the comment with a link to the language's
PDF, giving its size and page count as measured then, and copies the PDFs into `<site>/pdf/`.

Without PDF_DIR (`make build`, `make serve`, the tests' builds), or when the language's PDF is
missing from it, the comment stays a comment: the page shows nothing, and there is no dead link
for strict mode or a reader to trip over. Zensical ignores hooks, with the same result.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from mkdocs.utils import get_relative_url

# MkDocs loads hooks by file path: make the repository's `tools` package importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from tools.site.pdf import PDF_STEM  # noqa: E402

log = logging.getLogger("mkdocs.hooks.pdf")

MARKER = "<!-- pdf-edition -->"
SITE_FOLDER = "pdf"  # where the PDFs are published, relative to the site root
LINK_TEXT = {
    "zh": ("离线阅读：", "下载全书 PDF", "（五篇文章、术语表和关于本版；{size}，{pages} 页）"),
    "en": ("Read offline: ", "download the whole edition as a PDF",
           " (the five articles, the glossary and About; {size}, {pages} pages)"),
}


def pdf_name(lang: str) -> str:
    return f"{PDF_STEM}.{lang}.pdf"


def human_size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} kB"


def page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def pdf_link(page_html: str, *, page_url: str, lang: str, pdf_dir: Path | None) -> str:
    """`page_html` with its marker replaced by a link to the language's PDF, when there is one."""
    if MARKER not in page_html:
        return page_html
    pdf = pdf_dir / pdf_name(lang) if pdf_dir else None
    if pdf is None or not pdf.is_file():
        return page_html
    lead, link, details = LINK_TEXT.get(lang, LINK_TEXT["en"])
    href = get_relative_url(f"{SITE_FOLDER}/{pdf.name}", page_url)
    details = details.format(size=human_size(pdf.stat().st_size), pages=page_count(pdf))
    block = (f'<p class="pdf-edition">{html.escape(lead)}<a href="{html.escape(href)}" '
             f'type="application/pdf" download>{html.escape(link)}</a>{html.escape(details)}</p>')
    return page_html.replace(MARKER, block)


def _pdf_dir(config: Any) -> Path | None:
    value = os.environ.get("PDF_DIR")
    if not value:
        return None
    return Path(config.config_file_path).parent / value


def on_page_content(html_text: str, *, page: Any, config: Any, files: Any) -> str | None:
    lang = config.theme.get("language", "")
    pdf_dir = _pdf_dir(config)
    result = pdf_link(html_text, page_url=page.url, lang=lang, pdf_dir=pdf_dir)
    if MARKER in html_text and result == html_text:
        log.info("%s: no PDF edition linked (%s)", page.file.src_uri,
                 "PDF_DIR not set" if pdf_dir is None else f"{pdf_dir / pdf_name(lang)} missing")
    return result


def on_post_build(*, config: Any) -> None:
    pdf_dir = _pdf_dir(config)
    if pdf_dir is None:
        return
    target = Path(config.site_dir) / SITE_FOLDER
    for pdf in sorted(pdf_dir.glob(f"{PDF_STEM}.*.pdf")):
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(pdf, target / pdf.name)
