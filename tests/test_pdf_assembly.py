"""The print page of the PDF edition (tools/site/pdf.py), assembled from a small built site
written inline: no MkDocs build, no browser. tests/web/test_pdf.py checks the real PDFs."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from bs4 import BeautifulSoup

from tools.site.pdf import BuildInfo, assemble, edition_pages

CONFIG = {
    "site_name": "站点",
    "nav": [
        {"首页": "index.md"},
        {
            "五篇文章": [
                {"短篇": ["short/index.md"]},
                {"长篇": ["long/index.md", "long/01-background.md"]},
            ]
        },
        {
            "参考": [
                "glossary.md",
                "report.md",
                {"笔记本": [{"demo": "notebooks/demo.ipynb"}]},
            ]
        },
    ],
    "plugins": [
        {
            "i18n": {
                "languages": [
                    {"locale": "zh", "default": True},
                    {
                        "locale": "en",
                        "site_name": "Site",
                        "nav_translations": {"短篇": "Short", "长篇": "Long"},
                    },
                ]
            }
        }
    ],
}


def _page(site: Path, path: str, article: str) -> None:
    url = "http://example.org/book/" + path
    (site / path).mkdir(parents=True, exist_ok=True)
    (site / path / "index.html").write_text(
        dedent(f"""\
        <html lang="en"><head><link rel="canonical" href="{url}">
        <link rel="stylesheet" href="{"../" * path.count("/")}assets/stylesheets/main.css"></head>
        <body dir="ltr"><article class="md-content__inner md-typeset">{article}</article></body></html>
        """),
        encoding="utf-8",
    )


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    _page(
        site,
        "en/short/",
        '<h1 id="short">Short<a class="headerlink" href="#short">¶</a></h1>'
        '<h2 id="intro">Intro</h2><p><a href="../long/01-background/#why">why</a> '
        '<a href="../report/">report</a> <a href="#intro">up</a></p>'
        '<img src="../../assets/fig.png" loading="lazy">',
    )
    _page(site, "en/long/", '<h1 id="long">Long</h1><details><summary>code</summary><p>x</p></details>')
    _page(
        site,
        "en/long/01-background/",
        '<h1 id="background">1. Background</h1><h2 id="why">Why</h2>'
        '<h2 id="intro">Intro again</h2>'
        '<div class="tabbed-set"><input id="__tabbed_1_1" name="__tabbed_1">'
        '<div class="tabbed-labels"><label for="__tabbed_1_1">CPU</label>'
        '<label for="__tabbed_1_2">GPU</label></div><div class="tabbed-content">'
        '<div class="tabbed-block"><p>cpu out</p></div>'
        '<div class="tabbed-block"><p>gpu out</p></div></div></div>',
    )
    _page(
        site,
        "en/glossary/",
        '<h1 id="glossary">Glossary</h1><p><a href="../short/">short</a></p>'
        '<p class="pdf-edition">Read offline: <a href="../../pdf/x.pdf">PDF</a></p>',
    )
    (site / "assets" / "stylesheets").mkdir(parents=True)
    (site / "assets" / "stylesheets" / "main.css").write_text("body {}", encoding="utf-8")
    return site


def test_edition_pages_follow_the_nav_without_home_report_and_notebooks() -> None:
    pages = edition_pages(CONFIG)
    assert [page.docs_path for page in pages] == [
        "short/index.md",
        "long/index.md",
        "long/01-background.md",
        "glossary.md",
    ]
    assert [page.section for page in pages] == ["短篇", "长篇", "长篇", None]
    assert [page.first_in_section for page in pages] == [True, True, False, False]


def test_links_between_pages_of_the_edition_stay_inside_the_document(tmp_path: Path) -> None:
    html = assemble(
        _site(tmp_path), "en", edition_pages(CONFIG), config=CONFIG, info=BuildInfo("2026-12-06", "abc123")
    ).html
    doc = BeautifulSoup(html, "html.parser")
    ids = [tag["id"] for tag in doc.find_all(id=True)]
    assert len(ids) == len(set(ids)), "ids repeat across pages"
    internal = [a["href"] for a in doc.find_all("a", href=True) if a["href"].startswith("#")]
    assert internal and all(href[1:] in ids for href in internal), internal
    why = doc.find("a", string="why")["href"]
    assert doc.find(id=why[1:]).get_text() == "Why"  # the other page's heading, not this page's
    assert doc.find("a", string="up")["href"] == "#" + doc.find(string="Intro").parent["id"]
    assert doc.find("a", string="report")["href"] == "http://example.org/book/en/report/"
    assert doc.find("a", string="short")["href"] == "#p1"


def test_print_page_shows_what_the_screen_hides(tmp_path: Path) -> None:
    doc = BeautifulSoup(
        assemble(
            _site(tmp_path),
            "en",
            edition_pages(CONFIG),
            config=CONFIG,
            info=BuildInfo("2026-12-06", "abc123", dirty=True),
        ).html,
        "html.parser",
    )
    assert doc.html["lang"] == "en"
    assert doc.find("details").has_attr("open")
    assert [p.get_text() for p in doc.select(".pdf-tab-label")] == ["CPU", "GPU"]
    assert doc.find(string="gpu out") is not None and not doc.select("input")
    image = doc.find("img")
    assert image["src"] == "assets/fig.png" and not image.has_attr("loading")
    assert not doc.select("a.headerlink")
    assert not doc.select(".pdf-edition"), "the PDF links to itself"
    assert doc.find("link", rel="stylesheet")["href"] == "assets/stylesheets/main.css"
    # An article starts with its label (nav section); its pages' headings move one level down.
    parts = [h.get_text() for h in doc.select("h1")]
    assert parts == ["Short", "Long", "Glossary"]
    assert [h.get_text() for h in doc.select(".pdf-page h2")] == ["Short", "Long", "1. Background"]
    assert [h.get_text() for h in doc.select(".pdf-page h3")] == ["Intro", "Why", "Intro again"]
    cover = doc.select_one(".pdf-cover").get_text(" ")
    assert "Site" in cover and "2026-12-06" in cover and "abc123" in cover and "uncommitted" in cover
    assert "http://example.org/book/en/" in cover
    toc = [li.get_text(" ", strip=True) for li in doc.select(".pdf-toc li")]
    assert toc == [
        "Short 000",
        "Long 000",
        "1. Background 000",
        "Glossary 000",
    ]  # numbers come after a first print
    assert [span["data-anchor"] for span in doc.select(".pdf-toc__page")] == [
        "p1-part",
        "p2-part",
        "p3",
        "p4",
    ]
