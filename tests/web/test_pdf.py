"""The PDF edition (tools/site/pdf.py), checked on the printed PDFs with poppler-utils and pypdf.

The PDFs are printed once per session from the strictly built test site (`python -m tools pdf`,
in a subprocess: the browser tests hold a Playwright instance in this process). PDF_TEST_DIR
tests already printed PDFs instead, e.g. ones broken on purpose to see a test fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_helpers import ROOT, build_site

from tools.markdown import title as markdown_title
from tools.recordings import Recording, figure_path, load_recording
from tools.site import pdf_hooks
from tools.site.pdf import LABELS, PDF_STEM, edition_pages, read_config
from tools.site.render import _TEXT as RENDER_TEXT
from tools.site.render import page_url

LANGS = ("zh", "en")
A4_PT = (595.28, 841.89)
CONFIG = read_config(ROOT / "mkdocs.yml")
PAGES = edition_pages(CONFIG)
FOOTER = re.compile(r"^\d+ / \d+$", re.M)  # tools/site/pdf.py's page footer
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")


def _poppler(*args: str) -> str:
    tool = shutil.which(args[0])
    if tool is None:
        pytest.fail(f"{args[0]} not found: run `make browser` (installs poppler-utils)")
    result = subprocess.run([tool, *args[1:]], capture_output=True, text=True, check=True)
    return result.stdout


def _squash(text: str) -> str:
    """Text without any whitespace, NFKC-normalized: PDF text wraps lines anywhere."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass
class PrintedPdf:
    lang: str
    path: Path

    @cached_property
    def page_texts(self) -> list[str]:
        # -raw: content-stream order, so padded columns of an output stay on one line
        return _poppler("pdftotext", "-raw", "-enc", "UTF-8", str(self.path), "-").split("\f")[:-1]

    @cached_property
    def reader(self):  # noqa: ANN201 - pypdf's PdfReader
        from pypdf import PdfReader

        return PdfReader(self.path)

    @cached_property
    def outline(self) -> list[tuple[str, int]]:
        """(title, 1-based page) of every outline entry, depth first."""
        found: list[tuple[str, int]] = []

        def walk(items: list) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item)
                else:
                    found.append((item.title, self.reader.get_destination_page_number(item) + 1))

        walk(self.reader.outline)
        return found

    @cached_property
    def body_start(self) -> int:
        """1-based page where the edition's first page starts (after the title and contents)."""
        assert self.outline, f"{self.path}: no PDF outline"
        return self.outline[0][1]

    @property
    def body_text(self) -> str:
        return "\n".join(self.page_texts[self.body_start - 1 :])

    @cached_property
    def _squashed_body_pages(self) -> list[str]:
        """Each page of the body without whitespace and without its footer (the page number)."""
        return [_squash(FOOTER.sub("", text)) for text in self.page_texts[self.body_start - 1 :]]

    @cached_property
    def _squashed_body(self) -> str:
        return "".join(self._squashed_body_pages)

    def holds(self, text: str) -> bool:
        """`text` is in the body, whitespace aside, also when a page break splits it (the end of
        a page, in content order, is not always the last line drawn on it)."""
        text = _squash(text)
        if text in self._squashed_body:
            return True
        pages = self._squashed_body_pages
        for page, following in zip(pages, pages[1:], strict=False):
            for cut in range(len(text) - 1, 0, -1):
                if page.endswith(text[:cut]):
                    if text[cut:] in following:
                        return True
                    break
        return False


@pytest.fixture(scope="session")
def printed(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, PrintedPdf]:
    if os.environ.get("PDF_TEST_DIR"):
        out = Path(os.environ["PDF_TEST_DIR"]).resolve()
        return {lang: PrintedPdf(lang, out / f"{PDF_STEM}.{lang}.pdf") for lang in LANGS}
    # Under pytest-xdist the first worker that needs the PDFs prints them into the run's shared
    # temporary folder; the others wait on the lock and read them (as built_site does).
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out, done = shared / "pdf-edition", shared / "pdf-edition.printed"
    with FileLock(str(shared / "pdf-edition.lock")):
        if not done.exists():
            result = subprocess.run(
                [sys.executable, "-m", "tools", "pdf", "--site", str(built_site), "--out", str(out)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert result.returncode == 0, (
                f"python -m tools pdf failed:\n{result.stdout[-4000:]}{result.stderr[-8000:]}"
            )
            done.write_text("ok\n", encoding="utf-8")
    return {lang: PrintedPdf(lang, out / f"{PDF_STEM}.{lang}.pdf") for lang in LANGS}


@pytest.fixture(params=LANGS)
def pdf(request: pytest.FixtureRequest, printed: dict[str, PrintedPdf]) -> PrintedPdf:
    return printed[request.param]


def _markdown_title(lang: str, docs_path: str) -> str:
    """The page's H1 as a reader sees it (inline Markdown removed)."""
    line = markdown_title((ROOT / "docs" / lang / docs_path).read_text(encoding="utf-8")) or ""
    title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
    return re.sub(r"[`*_]|<[^>]+>", "", title).strip()


def _recordings() -> list[Recording]:
    paths = sorted((ROOT / "recordings" / "cpu").glob("*.json"))
    return [load_recording(ROOT, path.stem, "cpu") for path in paths]


# ---------------------------------------------------------------------------------- content


def test_every_chapter_title_appears_in_reading_order(pdf: PrintedPdf) -> None:
    body = _squash(pdf.body_text)
    # The outline shows each title as written (Chromium's own outline drops the space where a
    # heading wraps: "large" + "models" → "largemodels"; tools/site/pdf.py puts it back).
    outline = [" ".join(title.split()) for title, _ in pdf.outline]
    position, in_outline = 0, 0
    for page in PAGES:
        title = _markdown_title(pdf.lang, page.docs_path)
        found = body.find(_squash(title), position)
        assert found >= 0, (
            f"{pdf.lang}: {page.docs_path} title {title!r} missing after position {position} of the body"
        )
        position = found + len(_squash(title))
        assert title in outline[in_outline:], (
            f"{pdf.lang}: {title!r} missing from the outline, or out of order"
        )
        in_outline = outline.index(title, in_outline) + 1


def test_every_output_appears_with_its_provenance(pdf: PrintedPdf) -> None:
    body = _squash(pdf.body_text)
    missing = []
    recordings = _recordings()
    assert recordings
    for recording in recordings:
        for cell in recording.cells:
            first = next((line for line in cell.output.splitlines() if line.strip()), None)
            if first and not pdf.holds(first):
                missing.append(f"{recording.id} cell {cell.index}: {first!r}")
    assert not missing, f"{pdf.lang}: outputs missing from the PDF: {missing}"
    provenance = RENDER_TEXT[pdf.lang]["recorded"].split("{")[0]
    assert body.count(_squash(provenance)) >= len(recordings), f"{pdf.lang}: provenance lines missing"


def test_every_figure_is_embedded(pdf: PrintedPdf) -> None:
    from PIL import Image

    listed = _poppler("pdfimages", "-list", str(pdf.path)).splitlines()[2:]
    sizes = {(int(row.split()[3]), int(row.split()[4])) for row in listed if row.split()[2] == "image"}
    figures = [
        figure_path(ROOT, recording.id, "cpu", figure)
        for recording in _recordings()
        for cell in recording.cells
        for figure in cell.figures
    ]
    assert figures
    missing = []
    for figure in figures:
        with Image.open(figure) as image:
            if image.size not in sizes:
                missing.append(figure.name)
    assert not missing, (
        f"{pdf.lang}: figures not embedded at full resolution: {missing} (images: {sorted(sizes)})"
    )


def test_every_diagram_is_printed(built_site: Path, pdf: PrintedPdf) -> None:
    """Each inline SVG diagram of the edition's pages is in the PDF, with its labels as text."""
    body = _squash(pdf.body_text)
    diagrams = 0
    for page in PAGES:
        html = (built_site / page_url(f"{pdf.lang}/{page.docs_path}") / "index.html").read_text(
            encoding="utf-8"
        )
        for svg in BeautifulSoup(html, "html.parser").select(".diagram svg"):
            diagrams += 1
            labels = [_squash(label.get_text(" ")) for label in svg.select(".nodeLabel, text")]
            missing = [label for label in labels if label and label not in body]
            assert not missing, (
                f"{pdf.lang}: {page.docs_path}: diagram labels missing from the PDF: {missing}"
            )
    assert diagrams > 0


def test_every_editors_box_is_printed_in_order(built_site: Path, pdf: PrintedPdf) -> None:
    """The editors' boxes (admonitions titled 编者… / Editor's…) keep their titles, in order."""
    prefix = "编者" if pdf.lang == "zh" else "Editor's"
    body, position, boxes = pdf._squashed_body, 0, 0
    for page in PAGES:
        html = (built_site / page_url(f"{pdf.lang}/{page.docs_path}") / "index.html").read_text(
            encoding="utf-8"
        )
        for title in BeautifulSoup(html, "html.parser").select(
            "article .admonition-title, article details > summary"
        ):
            text = _squash(title.get_text())
            if not text.startswith(_squash(prefix)):
                continue
            boxes += 1
            found = body.find(text, position)
            assert found >= 0, (
                f"{pdf.lang}: {page.docs_path}: editors' box {title.get_text()!r} missing or out of order"
            )
            position = found + len(text)
    assert boxes > 20


def test_no_line_of_code_or_output_is_clipped(built_site: Path, pdf: PrintedPdf) -> None:
    """Every line of every code block and recorded output of the edition's pages is in the PDF
    text: a line cut off at its box's edge (overflow on screen) loses its end in print."""
    missing, lines = [], 0
    for page in PAGES:
        html = (built_site / page_url(f"{pdf.lang}/{page.docs_path}") / "index.html").read_text(
            encoding="utf-8"
        )
        for pre in BeautifulSoup(html, "html.parser").select("article pre"):
            for line in pre.get_text().splitlines():
                if _squash(line):
                    lines += 1
                    if not pdf.holds(line):
                        missing.append(f"{page.docs_path}: {line.strip()!r}")
    assert lines > 500
    assert not missing, (
        f"{pdf.lang}: {len(missing)} of {lines} code/output lines missing or cut: {missing[:8]}"
    )


def test_formulas_are_typeset_and_every_font_is_embedded(pdf: PrintedPdf) -> None:
    rows = _poppler("pdffonts", str(pdf.path)).splitlines()[2:]
    assert rows
    not_embedded = [row for row in rows if row.split()[-5] != "yes"]
    assert not not_embedded, f"{pdf.lang}: fonts not embedded: {not_embedded}"
    assert any("KaTeX_Main" in row for row in rows), f"{pdf.lang}: no KaTeX font: formulas not typeset"
    assert "\\frac" not in pdf.body_text and "\\sqrt" not in pdf.body_text, f"{pdf.lang}: raw TeX in the PDF"
    cjk = sum(len(run) for run in CJK.findall(pdf.body_text))
    assert cjk > (20_000 if pdf.lang == "zh" else 0), f"{pdf.lang}: {cjk} CJK characters extracted"


def test_title_page_gives_build_date_and_commit(pdf: PrintedPdf) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    first = pdf.page_texts[0]
    assert re.search(r"\d{4}-\d{2}-\d{2}", first), first
    assert commit and commit in first, f"{pdf.lang}: commit {commit} not on the title page:\n{first}"


# ---------------------------------------------------------------------------------- layout


def test_no_page_is_larger_than_a4_and_nothing_is_shrunk_to_fit(pdf: PrintedPdf) -> None:
    """Pages are A4 at most, and the type is printed at its size. Text cannot run past the
    margins in a Chromium PDF: what overflows to the left is cut at the printable area (measured:
    `pre { margin-left: -20mm }` cuts the start of every code line; the test above catches it), and
    a line wider than the page makes Chromium shrink the whole document until it fits, which this
    test catches (measured: body words 10.7 pt high, 7.1 pt once one code line no longer wraps)."""
    bbox = BeautifulSoup(_poppler("pdftotext", "-bbox", str(pdf.path), "-"), "html.parser")
    pages = bbox.find_all("page")
    assert len(pages) == len(pdf.page_texts)
    for number, page in enumerate(pages, start=1):
        width, height = float(page["width"]), float(page["height"])
        assert width <= A4_PT[0] + 0.5 and height <= A4_PT[1] + 0.5, (
            f"{pdf.lang}: page {number} is {width} x {height} pt"
        )
    heights = sorted(float(word["ymax"]) - float(word["ymin"]) for word in bbox.find_all("word"))
    median = heights[len(heights) // 2]
    assert median >= 9.5, f"{pdf.lang}: words are {median:.1f} pt high: a line too wide shrank the whole PDF"


def test_internal_links_land_on_pages_of_the_document(pdf: PrintedPdf) -> None:
    internal, broken = 0, []
    destinations = pdf.reader.named_destinations
    for number, page in enumerate(pdf.reader.pages, start=1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri is not None:
                # the loopback server the page was printed from (a port: the test site has none)
                if re.match(r"(file:|https?://127\.0\.0\.1:\d+/)", str(uri)):
                    broken.append(f"page {number}: {uri}")
                continue
            destination = annotation.get("/Dest")
            if destination is None and action is not None:
                destination = action.get_object().get("/D")
            internal += 1
            if (
                destination is not None
                and str(destination) not in destinations
                and not isinstance(destination, list)
            ):
                broken.append(f"page {number}: destination {destination} not in the document")
    assert not broken, f"{pdf.lang}: {broken[:10]}"
    # the contents page alone links every page of the edition
    assert internal >= len(PAGES), f"{pdf.lang}: only {internal} internal links"


def test_contents_give_the_page_each_entry_links_to(pdf: PrintedPdf) -> None:
    shown = [
        int(number)
        for text in pdf.page_texts[1 : pdf.body_start - 1]
        for number in re.findall(r"^\S.*\s(\d+)$", FOOTER.sub("", text), re.M)
    ]
    destinations = pdf.reader.named_destinations
    linked = []
    for page in pdf.reader.pages[1 : pdf.body_start - 1]:
        for annotation in page.get("/Annots") or []:
            name = annotation.get_object().get("/Dest")
            if name is not None and str(name) in destinations:
                linked.append(pdf.reader.get_destination_page_number(destinations[str(name)]) + 1)
    assert len(linked) >= len(PAGES) - 2  # an article's first page is one entry: its label
    assert shown == linked, f"{pdf.lang}: contents show pages {shown}, their links go to {linked}"


# ---------------------------------------------------------------------------------- language


def _chrome(lang: str) -> list[str]:
    """Fixed strings a page of `lang` shows around the articles' own text: this edition's
    labels (the print page's and the recorded outputs'), and Material's."""
    texts = list(LABELS[lang].values()) + list(RENDER_TEXT[lang].values())
    texts += {
        "zh": ["输出", "永久链接", "复制", "目录", "上一页", "下一页", "回到页面顶部"],
        "en": [
            "Output",
            "Permanent link",
            "Copy to clipboard",
            "Table of contents",
            "Back to top",
            "Previous",
            "Next",
        ],
    }[lang]
    fragments = []
    for text in texts:
        for part in re.split(r"\{[^}]*\}|`", text):  # literal parts, around placeholders and code
            part = part.strip(" ：:，,（）()；;。.")
            if len(_squash(part)) >= (2 if CJK.search(part) else 6):
                fragments.append(part)
    return fragments


def _occurrences(fragment: str, text: str) -> int:
    if CJK.search(fragment):
        return _squash(text).count(_squash(fragment))
    return len(re.findall(rf"(?<![\w-]){re.escape(fragment)}(?![\w-])", text))


def _own_text(lang: str) -> str:
    """What the edition's pages of `lang` say themselves: their Markdown (prose and code) and
    the recorded outputs they embed."""
    pages = [(ROOT / "docs" / lang / page.docs_path).read_text(encoding="utf-8") for page in PAGES]
    outputs = [cell.output for recording in _recordings() for cell in recording.cells]
    return "\n".join(pages + outputs)


def test_no_ui_text_of_the_other_language(pdf: PrintedPdf) -> None:
    """The other language's interface strings appear no more often than the pages' own text
    quotes them (the zh glossary says 输出层 (Output Layer), a code comment says "missing")."""
    other = "en" if pdf.lang == "zh" else "zh"
    text, own = "\n".join(pdf.page_texts), _own_text(pdf.lang)
    leaked = {}
    for fragment in _chrome(other):
        shown, quoted = _occurrences(fragment, text), _occurrences(fragment, own)
        if shown > quoted:
            leaked[fragment] = f"{shown} in the PDF, {quoted} in the pages' own text"
    assert not leaked, f"{pdf.lang} PDF shows {other} interface text: {leaked}"


def test_chinese_in_the_english_pdf_is_quoted_from_its_pages(printed: dict[str, PrintedPdf]) -> None:
    """Every run of Chinese in the English PDF is one its pages or recorded outputs hold."""
    pdf = printed["en"]
    sources = _squash(
        "".join((ROOT / "docs" / "en" / page.docs_path).read_text(encoding="utf-8") for page in PAGES)
    )
    sources += _squash("".join(cell.output for recording in _recordings() for cell in recording.cells))
    stray = sorted(
        {
            run
            for run in CJK.findall(pdf.body_text + "\n".join(pdf.page_texts[: pdf.body_start - 1]))
            if _squash(run) not in sources
        }
    )
    assert not stray, f"Chinese in the en PDF that no en page or output holds: {stray[:20]}"


# ---------------------------------------------------------------------------------- links to it


def test_pages_link_the_pdf_only_when_it_was_built(tmp_path: Path) -> None:
    page = "<h1>About</h1>\n<!-- pdf-edition -->\n<p>text</p>"
    assert pdf_hooks.pdf_link(page, page_url="en/about/", lang="en", pdf_dir=None) == page
    assert pdf_hooks.pdf_link(page, page_url="en/about/", lang="en", pdf_dir=tmp_path) == page
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    with (tmp_path / pdf_hooks.pdf_name("en")).open("wb") as handle:
        writer.write(handle)
    linked = pdf_hooks.pdf_link(page, page_url="en/about/", lang="en", pdf_dir=tmp_path)
    assert pdf_hooks.MARKER not in linked
    assert f'href="../../pdf/{PDF_STEM}.en.pdf"' in linked and "3 pages" in linked and " kB" in linked


def test_built_site_links_each_language_pdf_with_its_size(
    printed: dict[str, PrintedPdf], tmp_path: Path
) -> None:
    """`make pdf`'s second build: home and About of each language link that language's PDF, the
    link resolves inside the site, and the size shown is the published file's."""
    pdf_dir = tmp_path / "pdfs"
    pdf_dir.mkdir()
    for printed_pdf in printed.values():
        shutil.copy2(printed_pdf.path, pdf_dir / printed_pdf.path.name)
    site = tmp_path / "site"
    result = build_site(site, env={"PDF_DIR": str(pdf_dir)})
    assert result.returncode == 0, result.stderr[-6000:]
    for lang in LANGS:
        for page in ("", "about/"):
            html_path = site / ("en/" if lang == "en" else "") / page / "index.html"
            link = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser").select_one(
                ".pdf-edition a"
            )
            assert link is not None, f"{html_path}: no PDF link"
            target = (html_path.parent / link["href"]).resolve()
            assert target.is_file() and target.name == f"{PDF_STEM}.{lang}.pdf", (
                f"{html_path}: {link['href']}"
            )
            size = pdf_hooks.human_size(target.stat().st_size)
            assert size in link.parent.get_text(), f"{html_path}: size {size} not shown"
