"""The edition style sheet (CONTRIBUTING.md), checked by tools/checks/style.py.

Per page: box types, pen names and Chinese titles (en), British spellings in prose (en) and in
code comments and strings (both editions). Site-wide: one English rendering per recurring heading,
British spellings in the English text of the data files the pages show. Places listed in
style.PENDING are expected to fail (xfail, reported per place) until their helper's branch is merged.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from tools.checks import style

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(
    p.relative_to(ROOT).as_posix() for lang in ("zh", "en") for p in (ROOT / "docs" / lang).rglob("*.md")
)


def _fail(findings: list, what: str) -> None:
    if findings:
        pytest.fail(f"{what} ({len(findings)}):\n" + "\n".join(f"  {f}" for f in findings), pytrace=False)


def _pending(place: str) -> None:
    if place in style.PENDING:
        pytest.xfail(f"pending: {style.PENDING[place]} (tools/checks/style.py PENDING)")


@pytest.mark.parametrize("page", PAGES)
def test_page_follows_the_style_sheet(page: str) -> None:
    _pending(page)
    lang = page.split("/")[1]
    text = (ROOT / page).read_text(encoding="utf-8")
    editors_page = page.split("/", 2)[2] in style.EDITORS_PAGES
    findings = style.box_types(page, text, lang, editors_page=editors_page) + style.spelling(page, text, lang)
    if lang == "en":
        findings += style.names(page, text)
    _fail(findings, f"{page} breaks the edition style sheet (CONTRIBUTING.md)")


def test_one_english_rendering_per_recurring_heading() -> None:
    findings = [f for f in style.heading_renderings(ROOT) if f.path not in style.PENDING]
    _fail(findings, "a recurring zh heading has several English renderings")


def test_cross_links_point_at_existing_headings() -> None:
    _fail(style.broken_anchors(ROOT), "a link points at a heading anchor that does not exist")


def test_a_renamed_heading_breaks_its_links(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "en" / "a.md"
    page.parent.mkdir(parents=True)
    page.write_text(
        "# A\n\n## 3.3 Strengths and weaknesses\n\n## Run {#run-locally}\n\n"
        "[ok](#33-strengths-and-weaknesses) [ok](a.md#run-locally) [bad](#33-pros-and-cons)\n",
        encoding="utf-8",
    )
    found = style.broken_anchors(tmp_path)
    assert [(f.path, f.line) for f in found] == [("docs/en/a.md", 7)]
    assert "#33-pros-and-cons" in found[0].message


@pytest.mark.parametrize("data", [pattern for pattern, *_ in style.DATA_FILES])
def test_data_shown_on_the_pages_uses_us_spelling(data: str) -> None:
    _pending(data)
    _fail(style.data_spelling(ROOT), "British spelling in the English text of a data file the pages show")


# ---------------------------------------------------------------- the rules on planted violations


def test_box_types() -> None:
    page = dedent(
        """\
        !!! info "编者说明：未执行的代码"
            文字。

        !!! note "编者注"
            更正放在 warning 里。

        !!! tip "阅读方式"
            提示。

        ### 编者补充：以真实规模训练

        !!! warning "编者注：正确"
            更正。
        """
    )
    found = style.box_types("docs/zh/a/b.md", page, "zh", editors_page=False)
    assert [f.line for f in found] == [1, 4, 7, 10]
    # On a page of the editors an untitled-kind note is fine, a tip is not.
    assert [f.line for f in style.box_types("docs/zh/index.md", page, "zh", editors_page=True)] == [
        1,
        4,
        7,
        10,
    ]
    assert (
        style.box_types(
            "docs/en/index.md", '!!! note "How to read this site"\n    Text.\n', "en", editors_page=True
        )
        == []
    )


def test_heading_keys_ignore_numbering_and_case() -> None:
    assert style.heading_key("2. Core concepts and connections") == style.heading_key(
        "2.1 core Concepts and connections"
    )
    assert style.heading_key("第4章: 开源与商业模型的对比分析") == "开源与商业模型的对比分析"


def test_heading_renderings_fail_on_a_second_rendering(tmp_path: Path) -> None:
    for lang, first, second in (
        ("zh", "# 2. 核心概念与联系\n", "# 2. 核心概念与联系\n"),
        ("en", "# 2. Core concepts and how they relate\n", "# 2. Core concepts and connections\n"),
    ):
        for name, text in (("a.md", first), ("b.md", second)):
            path = tmp_path / "docs" / lang / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    findings = style.heading_renderings(tmp_path)
    assert [(f.path, f.line) for f in findings] in ([("docs/en/b.md", 1)], [("docs/en/a.md", 1)])
    assert "rendered 2 ways" in findings[0].message
    (tmp_path / "docs" / "en" / "b.md").write_text(first.replace("2.", "2."), encoding="utf-8")
    assert style.heading_renderings(tmp_path) == []


def test_pen_name_and_chinese_titles() -> None:
    good = (
        '**Author: Zen and the Art of Computer Programming (<span lang="zh">禅与计算机程序设计艺术</span>)**\n\n'
        '*Deep Learning* (<span lang="zh">《深度学习》</span>) and the sentence "<span lang="zh">改变世界</span>".\n'
    )
    assert style.names("docs/en/x.md", good) == []
    bad = dedent(
        """\
        ## Authors: Zen And The Art of Computer Programming

        **Author: Zen and the Art of Computer Programming**

        Knuth's *The Art of Computer Programming* (in Chinese "计算机程序设计艺术") and 《深度学习》.
        """
    )
    found = style.names("docs/en/x.md", bad)
    assert [
        (f.line, m)
        for f in found
        for m in [
            "Zen And" in f.message
            or "follow" in f.message
            or "quotes" in f.message
            or "《深度学习》" in f.message
        ]
    ] == [(1, True), (3, True), (5, True), (5, True)]


def test_british_spellings_in_prose_code_and_data(tmp_path: Path) -> None:
    assert style.british("The model analyses the text; two analyses agree.") == ["analyses"]
    assert style.british("optimisation, behaviour, licence, unlabelled, towards, grey") == [
        "optimisation",
        "behaviour",
        "licence",
        "unlabelled",
        "towards",
        "grey",
    ]
    assert style.british("optimization, behavior, license, unlabeled, toward, gray, organism, analysis") == []
    page = dedent(
        """\
        The tokeniser is initialised here.

        ```python
        x = 1  # weights are initialised at random
        print("labelled data")
        ```
        """
    )
    found = style.spelling("docs/en/x.md", page, "en")
    assert [(f.line, f.message.split(":")[0]) for f in found] == [
        (1, "British spelling in prose"),
        (4, "British spelling in code"),
        (5, "British spelling in code"),
    ]
    # zh pages: only their code is English.
    assert [
        f.line for f in style.spelling("docs/zh/x.md", page.replace("The tokeniser", "分词器"), "zh")
    ] == [4, 5]
    data = tmp_path / "data" / "stance"
    data.mkdir(parents=True)
    (data / "sentences.csv").write_text(
        "id,pair_id,lang,text,label,source\n1,1,zh,开源,open,x\n2,1,en,Open source favours customisation.,open,x\n",
        encoding="utf-8",
    )
    found = style.data_spelling(tmp_path)
    assert [(f.path, f.line) for f in found] == [("data/stance/sentences.csv", 3)]
    assert "favours, customisation" in found[0].message


def test_style_command_reports_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for lang, text in (
        ("zh", '# 标题\n\n!!! info "编者说明"\n    文字。\n'),
        ("en", '# Title\n\n!!! info "Editor\'s comment"\n    Text.\n'),
    ):
        path = tmp_path / "docs" / lang / "about.md"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "sources").mkdir()
    args = style.argparse.Namespace(root=tmp_path, strict=False)
    assert style.run(args) == 1
    err = capsys.readouterr().err
    assert "docs/zh/about.md:3: box-type: a comment box is `note`, not `info`" in err
    assert "docs/en/about.md:3: box-type" in err
