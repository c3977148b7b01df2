"""The Chinese edition keeps the whole source article: headings, text and (roughly) its length.

Each test is parametrised per source article (sources/NNN_*.txt → docs/zh/<folder>/, the table in
CONTRIBUTING.md). Editorial material (`!!! warning "编者注"`, `!!! note "编者补充"`, code) does not
count towards the edition, so an editor's note cannot hide a dropped paragraph.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from pathlib import Path
from textwrap import dedent

import pytest

from tools import fidelity

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = [pytest.param(number, id=f"{number}-{folder}") for number, folder in fidelity.ARTICLES.items()]
# A label heading whose content is the next source line: the title itself becomes the page's H1.
TITLE_LABELS = {"文章标题"}


def article(number: str) -> tuple[str, str, list[tuple[str, str]]]:
    """(source path, source text, [(page path, page text)]) of one article."""
    source = fidelity.source_path(ROOT, number)
    folder = f"docs/zh/{fidelity.ARTICLES[number]}/"
    pages = [(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8"))
             for p in fidelity.zh_pages(ROOT, number)]
    if not pages:
        pytest.fail(f"{folder} has no pages yet: write the Chinese edition of {source.relative_to(ROOT)}")
    return source.relative_to(ROOT).as_posix(), source.read_text(encoding="utf-8"), pages


def missing_headings(source_path: str, source: str, pages: list[tuple[str, str]]) -> list[str]:
    available = Counter(
        fidelity.normalise_heading(text)
        for path, page in pages
        for _, text in fidelity.page_headings(page, path=path)
    )
    everything = fidelity.normalise_heading("".join(page for _, page in pages))
    source_lines = source.splitlines()
    missing = []
    for heading in fidelity.source_headings(source, path=source_path):
        wanted = fidelity.normalise_heading(heading.text)
        parts = re.split(r"[:：]", heading.text, maxsplit=1)
        label, rest = (parts[0], parts[1]) if len(parts) == 2 else (heading.text, "")
        if heading.text.strip() in TITLE_LABELS:
            title = next((line for line in source_lines[heading.line :] if line.strip()), "")
            wanted = fidelity.normalise_heading(title)
        if available[wanted]:
            available[wanted] -= 1
            continue
        label_form = fidelity.normalise_heading(label)
        if rest.strip() and available[label_form] and fidelity.normalise_heading(rest) in everything:
            available[label_form] -= 1  # "## 关键词：A，B" written as "## 关键词" + "A，B"
            continue
        missing.append(f"  {source_path}:{heading.line}: {'#' * heading.level} {heading.text}")
    return missing


@pytest.mark.parametrize("number", ARTICLES)
def test_every_source_heading_has_a_zh_heading(number: str) -> None:
    source_path, source, pages = article(number)
    missing = missing_headings(source_path, source, pages)
    folder = f"docs/zh/{fidelity.ARTICLES[number]}/"
    if missing:
        pytest.fail(
            f"{folder} lacks {len(missing)} heading(s) of {source_path}; add a heading with the same text "
            f"(any level; numbering, wording and punctuation kept, full/half-width may differ):\n"
            + "\n".join(missing),
            pytrace=False,
        )


@pytest.mark.parametrize("number", ARTICLES)
def test_zh_edition_is_not_shorter_than_its_source(number: str) -> None:
    source_path, source, pages = article(number)
    source_han = fidelity.source_han(source, path=source_path)
    edition_han = sum(fidelity.han_count(fidelity.edition_prose(page, path=path)) for path, page in pages)
    assert edition_han >= source_han, (
        f"docs/zh/{fidelity.ARTICLES[number]}/ has {edition_han} Han characters outside code and editorial "
        f"admonitions (编者注/编者补充), fewer than the {source_han} of {source_path} outside code blocks: "
        f"text of the source is missing (see test_every_source_paragraph_is_kept for where)"
    )


def closest_line(signature: str, pages: list[tuple[str, str]]) -> str:
    best, where = 0.6, ""
    for path, page in pages:
        for number, line in enumerate(fidelity.edition_prose(page, path=path).splitlines(), start=1):
            candidate = fidelity.han_signature(line)
            matcher = difflib.SequenceMatcher(None, signature, candidate, autojunk=False)
            if len(candidate) >= 6 and matcher.quick_ratio() > best and matcher.ratio() > best:
                best, where = matcher.ratio(), f"{path}:{number}: {line.strip()[:80]}"
    return f"\n      closest: {where}" if where else ""


@pytest.mark.parametrize("number", ARTICLES)
def test_every_source_paragraph_is_kept(number: str) -> None:
    """Each source line with text keeps its Chinese characters, in order, outside editorial notes."""
    source_path, source, pages = article(number)
    edition = "".join(fidelity.han_signature(fidelity.edition_prose(page, path=path)) for path, page in pages)
    missing = [
        f"  {source_path}:{line}: {text[:80]}{closest_line(fidelity.han_signature(text), pages)}"
        for line, text in fidelity.source_paragraphs(source, path=source_path)
        if fidelity.han_signature(text) not in edition
    ]
    if missing:
        pytest.fail(
            f"docs/zh/{fidelity.ARTICLES[number]}/ does not keep {len(missing)} line(s) of {source_path} word "
            f"for word (outside code and editorial admonitions); restore the author's text and put corrections "
            f'in a `!!! warning "编者注"` after it:\n' + "\n".join(missing),
            pytrace=False,
        )


# ---------------------------------------------------------------- the helpers themselves


def test_source_headings_skip_code_and_find_glued_headings() -> None:
    source = dedent(
        """\
        # 标题
        ```python
        # 注释，不是标题
        ```
        上一段的结尾。### 2. 核心概念
        **粗体标题行**不是标题
        C# 不是标题
        """
    )
    assert [(h.line, h.level, h.text) for h in fidelity.source_headings(source)] == [
        (1, 1, "标题"), (5, 3, "2. 核心概念")
    ]
    assert fidelity.source_paragraphs(source) == [(5, "上一段的结尾。"), (6, "**粗体标题行**不是标题")]


@pytest.mark.parametrize(
    ("source", "edition"),
    [
        ("#### 开源模型的优点：", "## 开源模型的优点"),
        ("### 2.1 开源（Open Source）的概念", "## 2.1 开源(Open Source)的概念"),
        ("**### 3. 核心算法原理 & 具体操作步骤**", "# 3. 核心算法原理 ＆ 具体操作步骤 {#algorithms}"),
        ("## 9.1 什么是LLM？", "## 9.1 什么是 [LLM](glossary.md)?"),
    ],
)
def test_heading_normalisation(source: str, edition: str) -> None:
    assert fidelity.normalise_heading(source.lstrip("*").rstrip("*")) == fidelity.normalise_heading(edition)


def test_editorial_admonitions_and_code_do_not_count() -> None:
    page = dedent(
        """\
        ---
        title: 标题不算
        ---
        正文五个字

        !!! warning "编者注"
            这里不算。

            这里也不算。

        ```python
        print("代码不算")
        ```
        <!-- 注释不算 -->
        !!! note "说明"
            这里算
        """
    )
    prose = fidelity.edition_prose(page, path="x.md")
    assert fidelity.han_count(prose) == len("正文五个字") + len("说明这里算")
    assert len(prose.splitlines()) == len(page.splitlines())
