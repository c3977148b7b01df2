"""Figures on the built site: each figure's alt text describes it (its title and axes, in the
page's language) on the article page, and the notebook page gives it the same alt text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_helpers import ROOT

from tools.recordings import FigureText, load_recording

FIGURE_SRC = re.compile(
    r"figures/(?P<profile>[a-z]+)/(?P<id>[a-z0-9-]+)/(?P<name>cell(?P<cell>\d+)-fig\d+-[0-9a-f]{8}\.png)$"
)
# Words that only an alt text in that language uses (the other language's must be absent).
LANGUAGE = {
    "zh": {"start": "图", "x": "横轴：", "y": "纵轴：", "scale": "色标："},
    "en": {"start": "Figure", "x": "x axis: ", "y": "y axis: ", "scale": "color scale: "},
}


def _tree(site: Path, lang: str) -> Path:
    return site if lang == "zh" else site / "en"


def _article_figures(site: Path, lang: str) -> dict[str, list[tuple[str, str, str]]]:
    """snippet id → [(page, figure file name, alt)] of its CPU figures, in page order."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    tree = _tree(site, lang)
    for path in sorted(tree.rglob("index.html")):
        rel = path.relative_to(site).as_posix()
        if (
            (lang == "zh" and rel.startswith("en/"))
            or "/notebooks/" in f"/{rel}"
            or rel.startswith("assets/")
        ):
            continue
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for img in soup.select("figure.snippet-figure img"):
            match = FIGURE_SRC.search(img.get("src", ""))
            assert match, f"{rel}: figure src {img.get('src')!r} is not a recorded figure"
            if match["profile"] == "cpu":
                found.setdefault(match["id"], []).append((rel, match["name"], img.get("alt", "")))
    return found


def _recorded_text(snippet_id: str, name: str) -> FigureText | None:
    for cell in load_recording(ROOT, snippet_id, "cpu").cells:
        if name in cell.figures and cell.figure_text is not None:
            return cell.figure_text[cell.figures.index(name)]
    return None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_figure_alt_names_its_title_and_axes_in_the_page_language(built_site: Path, lang: str) -> None:
    figures = _article_figures(built_site, lang)
    assert figures, "no figure on any article page"
    words, other = LANGUAGE[lang], LANGUAGE["en" if lang == "zh" else "zh"]
    problems, described = [], 0
    for snippet_id, entries in figures.items():
        for rel, name, alt in entries:
            where = f"{rel}: {snippet_id}/{name}"
            entry = _recorded_text(snippet_id, name)
            if entry is None:  # recorded before figure texts: the alt names the snippet and cell
                if snippet_id not in alt:
                    problems.append(f"{where}: alt {alt!r} names neither the figure nor its snippet")
                continue
            strings = [entry.title, *entry.scales]
            strings += [value for axes in entry.axes for value in (axes.title, axes.x, axes.y)]
            if not any(strings):
                continue
            described += 1
            if not alt.startswith(words["start"]):
                problems.append(f"{where}: alt {alt!r} does not start with {words['start']!r}")
            missing = [value for value in strings if value and value not in alt]
            if missing:
                problems.append(f"{where}: alt {alt!r} lacks {missing}")
            for key in ("x", "y"):
                if any(getattr(axes, key) for axes in entry.axes) and words[key] not in alt:
                    problems.append(f"{where}: alt {alt!r} does not say {words[key]!r}")
            if entry.scales and words["scale"] not in alt:
                problems.append(f"{where}: alt {alt!r} does not say {words['scale']!r}")
            if any(word in alt for word in other.values() if word != "Figure" and word != "图"):
                problems.append(f"{where}: alt {alt!r} uses the other language's words")
    assert described, "no figure was recorded with its title and axes (re-record one with tools run)"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notebook_page_gives_each_figure_the_article_page_alt(built_site: Path, lang: str) -> None:
    problems = []
    for snippet_id, entries in _article_figures(built_site, lang).items():
        page = _tree(built_site, lang) / "notebooks" / snippet_id / "index.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        notebook = [img.get("alt", "") for img in soup.select(".jp-OutputArea-output img, .output img")]
        article = [alt for _rel, _name, alt in entries]
        if notebook != article:
            problems.append(
                f"{page.relative_to(built_site)}: alt texts {notebook} differ from the "
                f"article page's {article}"
            )
    assert not problems, "\n".join(problems)
