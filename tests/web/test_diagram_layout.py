"""Diagrams as a reader sees them (issue 27): every diagram fits the column at 1280 px, labels
are at least 11 px as displayed (1280 and 375 px), a diagram that scrolls on a phone starts at
its left edge under a visible cue with an "open full size" link to the SVG alone, each has an
accessible name from its title in the page's language, and dark mode draws it dark."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from site_helpers import html_pages

HAN = re.compile(r"[\u3400-\u9fff]")
MIN_LABEL_PX = 11
LANGS = {"zh": "", "en": "en/"}

MEASURE = """() => [...document.querySelectorAll('.md-typeset .diagram[data-diagram]')].map(box => {
    const svg = box.querySelector(':scope > svg');
    if (!svg) return {key: box.dataset.diagram, missing: true};
    let label = Infinity;
    svg.querySelectorAll('text').forEach(text => {
        if (!text.textContent.trim()) return;
        const size = parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a;
        label = Math.min(label, size);
    });
    const bar = box.nextElementSibling && box.nextElementSibling.classList.contains('diagram-bar')
        ? box.nextElementSibling : null;
    const visible = el => {
        if (!el || el.closest('[hidden]')) return false;
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const cue = bar && bar.querySelector('.diagram-bar__cue');
    const link = bar && bar.querySelector('a.diagram-bar__full');
    const boxRect = box.getBoundingClientRect();
    return {
        key: box.dataset.diagram, box: box.clientWidth, content: box.scrollWidth,
        share: Math.min(1, box.clientWidth / box.scrollWidth), label,
        scrollLeft: box.scrollLeft, role: svg.getAttribute('role'),
        name: svg.getAttribute('aria-label') || '',
        title: (svg.querySelector('title') || {}).textContent || '',
        cue: visible(cue), cueLeft: cue ? cue.getBoundingClientRect().left - boxRect.left : null,
        link: visible(link) ? link.href : null,
    };
})"""


def _diagram_pages(site: Path, lang: str) -> list[str]:
    pages = []
    for rel in html_pages(site):
        url = LANGS[lang] + rel.removesuffix("index.html")
        if "data-diagram=" in (site / url / "index.html").read_text(encoding="utf-8"):
            pages.append(url)
    assert pages, f"no {lang} page has a diagram"
    return pages


def _measure(browser, site_url: str, pages: list[str], *, width: int, scheme: str = "light") -> dict:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    found = {}
    try:
        for rel in pages:
            page.goto(f"{site_url}/{rel}", wait_until="networkidle")
            for diagram in page.evaluate(MEASURE):
                found[f"/{rel} {diagram['key']}"] = diagram
    finally:
        context.close()
    return found


@pytest.mark.parametrize("lang", list(LANGS))
def test_every_diagram_fits_the_column_at_1280px_with_readable_labels(
    browser, site_url: str, built_site: Path, lang: str
) -> None:
    diagrams = _measure(browser, site_url, _diagram_pages(built_site, lang), width=1280)
    problems = [
        f"{where}: {d['share']:.0%} visible ({d['content']} px in a {d['box']} px box)"
        for where, d in diagrams.items()
        if d.get("missing") or d["share"] < 1
    ]
    problems += [
        f"{where}: labels {d['label']:.1f} px"
        for where, d in diagrams.items()
        if not d.get("missing") and d["label"] < MIN_LABEL_PX - 0.05
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", list(LANGS))
def test_on_a_phone_a_wide_diagram_starts_left_under_a_scroll_cue_with_a_full_size_link(
    browser, site_url: str, built_site: Path, lang: str
) -> None:
    diagrams = _measure(browser, site_url, _diagram_pages(built_site, lang), width=375)
    scrolling = {where: d for where, d in diagrams.items() if d["share"] < 1}
    assert scrolling, "no diagram scrolls at 375 px: nothing here is tested"
    problems = [
        f"{where}: labels {d['label']:.1f} px"
        for where, d in diagrams.items()
        if d["label"] < MIN_LABEL_PX - 0.05
    ]
    for where, d in scrolling.items():
        if d["scrollLeft"] != 0:
            problems.append(f"{where}: starts scrolled {d['scrollLeft']} px from its left edge")
        if not d["cue"] or d["cueLeft"] is None or abs(d["cueLeft"]) > 2:
            problems.append(f"{where}: no visible scroll cue at the box's left edge ({d['cueLeft']})")
        if not d["link"]:
            problems.append(f"{where}: no visible 'open full size' link")
    assert not problems, "\n".join(problems)
    shares = sorted(d["share"] for d in scrolling.values())
    print(f"{lang} at 375 px: narrowest visible share {shares[0]:.0%}")


def test_full_size_link_opens_the_diagram_alone_at_its_drawn_size(
    browser, site_url: str, built_site: Path
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 900})
    page = context.new_page()
    try:
        for rel in _diagram_pages(built_site, "zh"):
            page.goto(f"{site_url}/{rel}", wait_until="networkidle")
            link = page.locator(".diagram-bar:not([hidden]) a.diagram-bar__full").first
            if link.count():
                break
        else:
            pytest.fail("no 'open full size' link on any page at 375 px")
        title = link.evaluate(
            "a => a.parentElement.previousElementSibling.querySelector('svg').getAttribute('aria-label')"
        )
        with context.expect_page() as opened:
            link.click()
        full = opened.value
        full.wait_for_load_state()
        shown = full.evaluate("""() => {
            const svg = document.documentElement;
            return {tag: svg.tagName, title: (svg.querySelector('title') || {}).textContent,
                    width: svg.getBoundingClientRect().width, drawn: svg.viewBox.baseVal.width};
        }""")
    finally:
        context.close()
    assert shown["tag"].lower() == "svg" and shown["title"] == title
    assert abs(shown["width"] - shown["drawn"]) < 2, shown


@pytest.mark.parametrize("lang", list(LANGS))
def test_each_diagram_is_an_image_named_by_its_title_in_the_page_language(
    browser, site_url: str, built_site: Path, lang: str
) -> None:
    diagrams = _measure(browser, site_url, _diagram_pages(built_site, lang), width=1280)
    problems = []
    for where, d in diagrams.items():
        if d["role"] != "img" or not d["name"].strip():
            problems.append(f"{where}: role={d['role']!r} aria-label={d['name']!r}")
        elif d["name"] != d["title"].strip():
            problems.append(f"{where}: aria-label {d['name']!r} is not its title {d['title']!r}")
        elif bool(HAN.search(d["name"])) != (lang == "zh"):
            problems.append(f"{where}: name {d['name']!r} is not in the page's language")
    assert not problems, "\n".join(problems)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _colors(page, clip: dict) -> list[tuple[int, int, int]]:
    """The RGB pixels of the page as shown inside `clip` (its part inside the viewport)."""
    from PIL import Image

    view = page.viewport_size
    top, left = max(clip["y"], 0), max(clip["x"], 0)
    clip = {
        "x": left,
        "y": top,
        "width": min(clip["x"] + clip["width"], view["width"]) - left,
        "height": min(clip["y"] + clip["height"], view["height"]) - top,
    }

    with Image.open(io.BytesIO(page.screenshot(clip=clip))) as shot:
        data = shot.convert("RGB").tobytes()
    return list(zip(data[0::3], data[1::3], data[2::3], strict=True))


def test_dark_mode_draws_diagrams_dark_with_readable_labels(browser, site_url: str, built_site: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    problems = []
    try:
        for rel in _diagram_pages(built_site, "zh") + _diagram_pages(built_site, "en"):
            page.goto(f"{site_url}/{rel}", wait_until="networkidle")
            boxes = page.locator(".diagram[data-diagram]")
            for number in range(boxes.count()):
                svg = boxes.nth(number).locator(":scope > svg")
                svg.evaluate("e => e.scrollIntoView({block: 'center'})")  # clear of the sticky header
                where = f"/{rel} diagram {number + 1}"
                panel = _colors(page, svg.bounding_box())  # the SVG has no background of its own
                if _luminance(max(set(panel), key=panel.count)) > 0.2:
                    problems.append(f"{where}: a light panel in dark mode")
                # Each label: its most frequent color is what it is drawn on, its brightest the
                # ink (light on dark).
                labels = svg.locator("text").filter(has_text=re.compile(r"\S"))
                for index in range(min(labels.count(), 2)):
                    labels.nth(index).evaluate("e => e.scrollIntoView({block: 'center'})")
                    pixels = _colors(page, labels.nth(index).bounding_box())
                    ground = max(set(pixels), key=pixels.count)
                    ink = max(pixels, key=_luminance)
                    ratio = (_luminance(ink) + 0.05) / (_luminance(ground) + 0.05)
                    if _luminance(ground) > 0.2 or ratio < 4.5:
                        problems.append(
                            f"{where}, label {index + 1}: {ink} on {ground}, contrast {ratio:.1f}:1"
                        )
    finally:
        context.close()
    assert not problems, "\n".join(problems)
