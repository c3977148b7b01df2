"""The real site builds strictly and both languages have the same pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_helpers import ROOT, html_pages


def test_strict_build_succeeds(built_site: Path) -> None:
    assert (built_site / "index.html").exists()
    assert (built_site / "en" / "index.html").exists()


def test_zh_and_en_page_sets_are_identical(built_site: Path) -> None:
    zh_pages = html_pages(built_site)
    en_pages = sorted(
        path.relative_to(built_site / "en").as_posix()
        for path in (built_site / "en").rglob("*.html")
        if path.name != "404.html" and "assets/" not in path.relative_to(built_site / "en").as_posix()
    )
    assert zh_pages == en_pages
    assert len(zh_pages) > 1


def test_pages_known_before_the_build_are_the_built_ones(built_site: Path) -> None:
    """The browser tests are parametrized by page at collection, from docs/ and the programs
    (site_helpers.source_pages): that list must be exactly the pages the build made."""
    from site_helpers import source_pages

    built = sorted(rel.removesuffix("index.html") for rel in html_pages(built_site))
    assert source_pages() == built


def test_no_page_loads_assets_from_another_host(built_site: Path) -> None:
    offenders = []
    for path in built_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for needle in ("fonts.googleapis.com", "cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"):
            if needle in text:
                offenders.append(f"{path.relative_to(built_site)}: {needle}")
    assert not offenders, offenders


def test_no_page_loads_mermaid_and_every_diagram_is_pre_rendered(built_site: Path) -> None:
    with_diagrams = 0
    for path in built_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(built_site)
        assert "mermaid.min.js" not in text and "mermaid.esm" not in text, f"{rel} loads mermaid"
        assert 'class="mermaid"' not in text, f"{rel}: raw mermaid source"
        assert "diagram--missing" not in text, f"{rel}: a diagram is not rendered"
        with_diagrams += "data-diagram=" in text
    assert with_diagrams


@pytest.mark.parametrize(
    ("markers", "script"),
    [
        # Formulas rendered at build time (article and notebook pages) need KaTeX's
        # stylesheet (and fonts) only, and only where a formula is.
        (['class="arithmatex"'], "katex.min.css"),
        # KaTeX's JavaScript only where math is left to the browser (an unrendered formula:
        # no node at build time); with node, no page.
        (['class="arithmatex">'], "katex.min.js"),
    ],
    ids=["katex-css", "katex-js"],
)
def test_heavy_scripts_load_only_on_pages_that_need_them(
    built_site: Path, markers: list[str], script: str
) -> None:
    with_it = without_it = 0
    for path in built_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        needs_it = any(marker in text for marker in markers)
        assert needs_it == (script in text), f"{path.relative_to(built_site)}: {markers} vs {script}"
        with_it += needs_it
        without_it += not needs_it
    assert without_it and (with_it or script == "katex.min.js")


def test_formulas_are_rendered_at_build_time(built_site: Path) -> None:
    import re

    rendered = 0
    for path in built_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        raw = re.findall(r'<(?:span|div) class="arithmatex">[^<]{0,40}', text)
        assert not raw, f"{path.relative_to(built_site)}: formula left to the browser: {raw[:2]}"
        rendered += text.count('class="arithmatex" data-katex-rendered><span class="katex')
    assert rendered > 50


def test_vendored_assets_are_not_committed() -> None:
    # The fetched JavaScript lives in a git-ignored folder.
    ignore = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "/docs/assets/vendor/" in ignore


# ---------------------------------------------------------------------------------------------
# One search index, sitemap and 404 page per language (tools/site/reader_hooks.py)


def _lang_pages(built_site: Path, lang: str) -> set[str]:
    """Directory URLs of one language's pages, relative to that language's root."""
    return {rel.removesuffix("index.html") for rel in html_pages(built_site)}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_language_has_its_own_search_index(built_site: Path, lang: str) -> None:
    import json

    path = built_site / ("" if lang == "zh" else "en/") / "search" / "search_index.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    pages = _lang_pages(built_site, lang)
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert locations, f"{path}: empty index"
    # Every location is a page of this language, relative to its root (no en/ prefix on
    # en, no en/ page on zh), and every indexed page exists.
    assert not {loc for loc in locations if loc.startswith("en/")}, "another language's pages in the index"
    assert locations <= pages, sorted(locations - pages)[:5]
    assert index["config"]["lang"][0] == lang
    print(f"{lang} search index: {len(index['docs'])} documents, {path.stat().st_size} bytes")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sitemap_per_language_is_valid_and_complete(built_site: Path, lang: str) -> None:
    import xml.etree.ElementTree as ET

    from site_helpers import TEST_SITE_URL

    prefix = "" if lang == "zh" else "en/"
    root_url = TEST_SITE_URL + prefix
    tree = ET.parse(built_site / prefix / "sitemap.xml")  # well-formed XML
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = tree.getroot().findall("s:url", ns)
    locs = [url.find("s:loc", ns).text for url in urls]
    assert len(locs) == len(set(locs))
    # Absolute URLs under this sitemap's own folder (the protocol's rule), one per page.
    assert all(loc.startswith(root_url) for loc in locs), [
        loc for loc in locs if not loc.startswith(root_url)
    ][:3]
    listed = {loc[len(root_url) :] for loc in locs}
    if lang == "zh":
        assert not {rel for rel in listed if rel.startswith("en/")}
    assert listed == _lang_pages(built_site, lang)
    for url in urls:
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)}
        assert set(alternates) == {"zh", "en"}, url.find("s:loc", ns).text
        assert all(href.startswith(TEST_SITE_URL) for href in alternates.values())


def test_404_page_per_language(built_site: Path) -> None:
    from site_helpers import SUB_PATH

    zh = (built_site / "404.html").read_text(encoding="utf-8")
    en = (built_site / "en" / "404.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in zh and "页面不存在" in zh
    assert '<html lang="en"' in en and "Page not found" in en
    for text in (zh, en):
        # Absolute from site_url's path: the page is served for any missing URL, at any depth.
        assert f'href="{SUB_PATH}assets/stylesheets/' in text
        assert 'href="/assets/' not in text and 'src="/assets/' not in text
