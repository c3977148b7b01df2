"""The site as a reader meets it (issue 12): every page loads without a console error or a
local 4xx, search stays in the reader's language and lands where it says, 404 pages work
under a sub-path in both languages, the UI speaks the page's language, axe-core finds no
critical or serious violation, diagrams are inline SVG at a readable size, and the pages are
light enough."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
from site_helpers import ROOT, html_pages, search, source_pages

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
AXE = ROOT / "docs" / "assets" / "vendor" / "axe-core" / "axe.min.js"
LANGS = {"zh": "", "en": "en/"}


def _pages(site: Path, lang: str) -> list[str]:
    """Directory URLs (relative to the site root) of one language's pages."""
    rels = [rel.removesuffix("index.html") for rel in html_pages(site)]
    return [LANGS[lang] + rel for rel in rels]


def _first_page_with(site: Path, needle: str, lang: str = "zh") -> str:
    for rel in _pages(site, lang):
        if rel.strip("/") in ("", "en"):
            continue
        if needle in (site / rel / "index.html").read_text(encoding="utf-8"):
            return rel
    pytest.fail(f"no {lang} page contains {needle!r}")


# ---------------------------------------------------------------------------------------------
# Console errors and local 4xx, on every page


# One test per page, so pytest-xdist spreads them over the workers (the list is known at
# collection without building: site_helpers.source_pages; test_site_build checks it).
@pytest.mark.parametrize(
    "rel", [pytest.param(LANGS[lang] + rel, id=f"{lang}:/{rel}") for lang in LANGS for rel in source_pages()]
)
def test_every_page_loads_without_console_errors_or_local_4xx(
    browser, site_url: str, built_site: Path, rel: str
) -> None:
    from conftest import RecordedPage

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems = []
    recorded = RecordedPage(context.new_page())
    response = recorded.page.goto(f"{site_url}/{rel}", wait_until="networkidle")
    if not response.ok:
        problems.append(f"/{rel}: status {response.status}")
    problems += [f"/{rel}: console error: {text}" for text in recorded.console_errors]
    problems += [f"/{rel}: {failed}" for failed in recorded.failed]
    context.close()
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# Search in the reader's language


def _search(page, query: str) -> list:
    """The result links of a search typed into Material's box."""
    return search(page, query, results="a.md-search-result__link")


SEARCHES = [
    # (language, query): a Chinese word in the middle of sentences (jieba), English words
    # on both sites.
    ("zh", "社区"),
    ("zh", "tokenizer"),
    ("zh", "微调"),
    ("en", "tokenizer"),
    ("en", "fine-tuning"),
    ("en", "perplexity"),
]


@pytest.mark.parametrize(("lang", "query"), SEARCHES)
def test_search_stays_in_the_page_language_and_lands_highlighted(
    recorded_page, site_url: str, built_site: Path, lang: str, query: str
) -> None:
    page = recorded_page.page
    # A deep page: results must resolve from any depth, not only from the home page.
    start = _first_page_with(built_site, 'class="arithmatex"', lang)
    page.goto(f"{site_url}/{start}")
    links = _search(page, query)
    assert links, f"no search results for {query!r} on /{start}"
    en_root = f"{site_url}/en/"
    hrefs = [link.get_attribute("href") for link in links]
    for href in hrefs:
        absolute = urljoin(page.url, href)
        assert absolute.startswith(site_url + "/"), absolute
        assert absolute.startswith(en_root) == (lang == "en"), (
            f"{query!r} on /{start}: {absolute} is not {lang}"
        )
        highlight = parse_qs(urlparse(absolute).query, keep_blank_values=True).get("h", [""])[0]
        assert highlight.strip(), f"{query!r}: result {absolute} has an empty ?h="
    target = urljoin(page.url, hrefs[0])
    links[0].click()
    page.wait_for_load_state("load")
    landed, expected = urlparse(page.url), urlparse(target)
    assert (landed.path, landed.query) == (expected.path, expected.query), (
        f"clicked {target}, landed on {page.url}"
    )
    assert page.locator("html").get_attribute("lang") == lang
    page.locator("mark[data-md-highlight]").first.wait_for(state="attached", timeout=20_000)


# ---------------------------------------------------------------------------------------------
# 404 pages under a sub-path


@pytest.mark.parametrize(
    ("missing", "lang", "heading"),
    [
        ("no/such/page/", "zh", "页面不存在"),
        ("en/no/such/deep/page/", "en", "Page not found"),
    ],
)
def test_404_page_per_language_works_under_a_sub_path(
    recorded_page, site_url: str, lang: str, missing: str, heading: str
) -> None:
    page = recorded_page.page
    response = page.goto(f"{site_url}/{missing}", wait_until="networkidle")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == lang
    assert heading in page.locator("h1").first.inner_text()
    # Material's stylesheet applied: the header is a sticky bar.
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    # The document itself is the one 404 (Chromium logs it as a console error too).
    document = f"404 {site_url}/{missing}"
    assert recorded_page.failed == [document]
    assert recorded_page.console_errors == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]
    switcher = {
        a.get_attribute("hreflang"): urljoin(page.url, a.get_attribute("href"))
        for a in page.locator(".md-select a[hreflang]").all()
    }
    assert switcher == {"zh": f"{site_url}/", "en": f"{site_url}/en/"}
    hrefs = {urljoin(page.url, a.get_attribute("href")) for a in page.locator("a[href]").all()}
    local = sorted(h.split("#")[0] for h in hrefs if h.startswith(site_url))
    assert len(local) > 10
    for href in dict.fromkeys(local):
        status = page.request.get(href).status
        assert status == 200, f"{href} on the {lang} 404 page: {status}"


# ---------------------------------------------------------------------------------------------
# UI strings in the page's language


def _ui_texts(page) -> list[str]:
    """Every UI string outside the article: texts and the title, aria-label and placeholder
    attributes, skipping elements marked as another language (the language switcher)."""
    return page.evaluate(
        """() => {
            const out = [];
            const lang = document.documentElement.lang;
            const skip = el => el.closest('article, [lang]:not(html)') &&
                (el.closest('article') || el.closest('[lang]:not(html)').lang !== lang);
            for (const el of document.querySelectorAll('body *')) {
                if (el.closest('script, style, svg, noscript') || skip(el)) continue;
                for (const name of ['title', 'aria-label', 'placeholder', 'alt']) {
                    const value = el.getAttribute(name);
                    if (value) out.push(`${el.tagName.toLowerCase()}[${name}]: ${value}`);
                }
                for (const node of el.childNodes) {
                    if (node.nodeType === 3 && node.textContent.trim()) out.push(`${el.tagName.toLowerCase()}: ${node.textContent.trim()}`);
                }
            }
            const config = JSON.parse(document.getElementById('__config').textContent);
            for (const [key, value] of Object.entries(config.translations)) out.push(`translation ${key}: ${value}`);
            return out;
        }"""
    )


UI_PAGES = ["", "commercialization/", "commercialization/04-math/", "glossary/", "no/such/page/"]


@pytest.mark.parametrize("rel", UI_PAGES)
def test_english_pages_have_an_english_ui(recorded_page, site_url: str, rel: str) -> None:
    page = recorded_page.page
    page.goto(f"{site_url}/en/{rel}")
    chinese = [text for text in _ui_texts(page) if HAN.search(text)]
    assert not chinese, f"/en/{rel}: Chinese UI strings: {chinese}"


@pytest.mark.parametrize("rel", UI_PAGES)
def test_chinese_pages_have_a_chinese_ui(recorded_page, site_url: str, rel: str) -> None:
    page = recorded_page.page
    page.goto(f"{site_url}/{rel}")
    # Material's own strings (buttons, labels, tooltips) in Chinese; names, code and
    # numbers may stay Latin.
    for selector in (
        "label.md-header__button[for^=__palette]",
        "input.md-search__input",
        ".md-search[role=dialog]",
        "[data-md-component=top]",
        "a.headerlink",
    ):
        for el in page.locator(selector).all():
            names = [el.get_attribute(a) for a in ("title", "aria-label", "placeholder")]
            names = [n for n in names if n] + [el.inner_text().strip()]
            assert any(HAN.search(n) for n in names if n), f"/{rel} {selector}: {names}"
    english_words = re.compile(
        r"^(?:[a-z]+\[[a-z-]+\]|translation [\w.]+|[a-z]+): .*\b(?:the|to|of|page|mode|search|copy|clear|back|previous|next)\b",
        re.I,
    )
    stray = [t for t in _ui_texts(page) if english_words.match(t) and not HAN.search(t)]
    assert not stray, f"/{rel}: English UI strings: {stray}"


# ---------------------------------------------------------------------------------------------
# Accessibility: axe-core, every page type, both languages, light and dark


PAGE_TYPES = {
    "home": lambda site: "",
    "article": lambda site: "commercialization/",
    "diagrams": lambda site: _first_page_with(site, "data-diagram=").removeprefix("en/"),
    "math": lambda site: "commercialization/04-math/",
    "snippet-outputs": lambda site: "commercialization/05-practice/",
    "notebook": lambda site: sorted(p.parent.name for p in (site / "notebooks").glob("*/index.html"))[0].join(
        ["notebooks/", "/"]
    ),
    "glossary": lambda site: "glossary/",
    "report": lambda site: "report/",
    "404": lambda site: "no/such/page/",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", list(LANGS))
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_axe_finds_no_critical_or_serious_violation(
    browser, site_url: str, built_site: Path, kind: str, lang: str, scheme: str
) -> None:
    assert AXE.is_file(), f"{AXE.relative_to(ROOT)} missing: run `make assets`"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    rel = LANGS[lang] + PAGE_TYPES[kind](built_site)
    page.goto(f"{site_url}/{rel}", wait_until="networkidle")
    expected = "slate" if scheme == "dark" else "default"
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    context.close()
    bad = [
        f"{v['impact']} {v['id']}: {len(v['nodes'])}x, e.g. {v['nodes'][0]['target']} "
        f"{v['nodes'][0].get('failureSummary', '')[:200]!r}"
        for v in result["violations"]
        if v["impact"] in ("critical", "serious")
    ]
    assert not bad, f"/{rel} ({scheme}):\n" + "\n".join(bad)


# ---------------------------------------------------------------------------------------------
# Diagrams: inline SVG, readable size, no mermaid


@pytest.mark.parametrize("lang", list(LANGS))
def test_diagrams_are_inline_svg_at_readable_size(
    recorded_page, site_url: str, built_site: Path, lang: str
) -> None:
    page = recorded_page.page
    with_diagrams = [
        rel
        for rel in _pages(built_site, lang)
        if "data-diagram=" in (built_site / rel / "index.html").read_text(encoding="utf-8")
    ]
    assert with_diagrams
    for rel in with_diagrams:
        page.goto(f"{site_url}/{rel}", wait_until="networkidle")
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('.diagram[data-diagram]')].map(box => {
                const svg = box.querySelector(':scope > svg');
                if (!svg) return {key: box.dataset.diagram, shown: 0, natural: 1};
                return {key: box.dataset.diagram, shown: svg.getBoundingClientRect().width,
                        natural: svg.viewBox.baseVal.width,
                        text: svg.querySelectorAll('text').length};
            })"""
        )
        assert sizes, f"/{rel}: no diagram"
        for size in sizes:
            # scaled to fit no further than 11 px labels (16 px drawn): tests/web/test_diagram_layout.py
            assert size["shown"] >= 11 / 16 * size["natural"] - 1, f"/{rel}: diagram {size} shown too small"
            assert size["text"] > 0, f"/{rel}: diagram {size['key']} has no text labels"
        assert page.locator(".diagram--missing, pre.mermaid, div.mermaid").count() == 0
    assert not [url for url in recorded_page.requests if "mermaid" in url]


# ---------------------------------------------------------------------------------------------
# Page weight (gzip, every request the browser makes)


@pytest.mark.parametrize(
    ("kind", "budget_kib"),
    [("home", 200), ("diagrams-and-math", 300)],
)
def test_page_weight_within_budget(browser, built_site: Path, kind: str, budget_kib: int) -> None:
    from tools.checks.page_weight import measure

    if kind == "home":
        rel = ""
    else:
        rel = next(
            r
            for r in _pages(built_site, "zh")
            if all(
                m in (built_site / r / "index.html").read_text(encoding="utf-8")
                for m in ("data-diagram=", 'class="arithmatex"')
            )
        )
    (row,) = measure(built_site, [rel], browser=browser)
    assert not row["foreign"]
    assert row["gzip"] <= budget_kib * 1024, f"/{rel}: {row['gzip'] / 1024:.1f} KiB gzip > {budget_kib} KiB"
