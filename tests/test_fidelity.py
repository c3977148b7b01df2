"""The Chinese edition keeps the whole source article: headings, text, Latin words and its length.

The rules live in tools/fidelity.py (`python -m tools fidelity` runs them from the command line);
each test here runs one rule per source article (sources/NNN_*.txt → docs/zh/<folder>/, the table
in CONTRIBUTING.md). Editorial material (admonitions titled 编者…, code) does not count towards the
edition, so an editors' note cannot hide a dropped paragraph.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from tools.checks import cli_fidelity, fidelity

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = [pytest.param(number, id=f"{number}-{folder}") for number, folder in fidelity.ARTICLES.items()]


def article(number: str) -> tuple[str, str, fidelity.Edition]:
    """(source path, source text, edition) of one article."""
    source = fidelity.source_path(ROOT, number)
    edition = fidelity.article_edition(ROOT, number)
    if not edition.pages:
        pytest.fail(
            f"docs/zh/{fidelity.ARTICLES[number]}/ has no pages yet: write the Chinese edition of "
            f"{source.relative_to(ROOT)}"
        )
    return source.relative_to(ROOT).as_posix(), source.read_text(encoding="utf-8"), edition


def report(findings: list[fidelity.Finding], what: str) -> None:
    if findings:
        pytest.fail(f"{what} ({len(findings)}):\n" + "\n".join(f"  {f}" for f in findings), pytrace=False)


@pytest.mark.parametrize("number", ARTICLES)
def test_every_source_heading_has_a_zh_heading(number: str) -> None:
    report(
        fidelity.missing_headings(*article(number)),
        f"docs/zh/{fidelity.ARTICLES[number]}/ lacks headings of its source; add a heading with the same text "
        f"(any level; numbering, wording and punctuation kept, full/half-width may differ)",
    )


@pytest.mark.parametrize("number", ARTICLES)
def test_zh_edition_is_not_shorter_than_its_source(number: str) -> None:
    source_path, source, edition = article(number)
    report(
        fidelity.length_shortfall(source_path, source, edition, fidelity.ARTICLES[number]),
        "the edition is shorter than its source (see test_every_source_paragraph_is_kept for where)",
    )


@pytest.mark.parametrize("number", ARTICLES)
def test_every_source_paragraph_is_kept(number: str) -> None:
    """Each source line with text keeps its Chinese characters, in order, outside editorial notes."""
    report(
        fidelity.missing_text(*article(number)),
        f"docs/zh/{fidelity.ARTICLES[number]}/ does not keep lines of its source word for word (outside code "
        f'and editorial admonitions); restore the author\'s text and put corrections in a `!!! warning "编者注"` '
        f"after it",
    )


@pytest.mark.parametrize("number", ARTICLES)
def test_every_source_latin_word_is_kept(number: str) -> None:
    """Names and identifiers ("PyTorch", "from_pretrained") of each source line stay in its place."""
    report(
        fidelity.missing_latin_words(*article(number)),
        f"docs/zh/{fidelity.ARTICLES[number]}/ drops Latin-script words of its source; restore the author's "
        f'words and put corrections in a `!!! warning "编者注"` after them',
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
        (1, 1, "标题"),
        (5, 3, "2. 核心概念"),
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


SOURCE_302 = "下面我们以图像分类任务为例，给出使用TensorFlow和PyTorch对ImageNet数据集进行图像分类模型的PyTorch代码实现。\n"


def edition_of(page: str) -> fidelity.Edition:
    return fidelity.Edition([("docs/zh/a/05-practice.md", dedent(page))])


def test_a_dropped_pytorch_fails() -> None:
    """The review's case: the second "PyTorch" of source 003 line 302 was silently removed."""
    edition = edition_of(
        """\
        # 5. 项目实践

        下面我们以图像分类任务为例，给出使用TensorFlow和PyTorch对ImageNet数据集进行图像分类模型的代码实现。
        """
    )
    assert fidelity.missing_text("s.txt", SOURCE_302, edition) == []  # the Han characters are all there
    findings = fidelity.missing_latin_words("s.txt", SOURCE_302, edition)
    assert [(f.rule, f.path, f.line) for f in findings] == [("latin", "docs/zh/a/05-practice.md", 3)]
    assert "drops PyTorch (1 of 2) of s.txt:1" in str(findings[0])


def test_latin_words_are_kept_in_place_and_re_wrapping_is_fine() -> None:
    kept = edition_of(
        """\
        下面我们以图像分类任务为例，给出使用 **TensorFlow** 和 `PyTorch` 对 ImageNet
        数据集进行图像分类模型的 PyTorch 代码实现。
        """
    )
    assert fidelity.missing_latin_words("s.txt", SOURCE_302, kept) == []
    # The word elsewhere in the article does not count: it must stay in the line's place.
    elsewhere = edition_of(
        """\
        下面我们以图像分类任务为例，给出使用TensorFlow和对ImageNet数据集进行图像分类模型的代码实现。

        PyTorch 和 PyTorch 在别处。
        """
    )
    assert "drops PyTorch (2 of 2)" in str(fidelity.missing_latin_words("s.txt", SOURCE_302, elsewhere)[0])


def test_an_editors_note_does_not_keep_a_latin_word() -> None:
    source = "- PyTorch\n- 使用 Keras 与 TensorFlow 构建模型的完整示例\n"
    edition = edition_of(
        """\
        - 使用 Keras 与 TensorFlow 构建模型的完整示例

        !!! warning "编者注"
            PyTorch 与 Keras 都不在原文这一行里。
        """
    )
    findings = fidelity.missing_latin_words("s.txt", source, edition)
    # "- PyTorch" has too few Han characters to locate: its word must appear somewhere in the article.
    assert [(f.path, f.line) for f in findings] == [("s.txt", 1)]
    assert "PyTorch nowhere in the edition" in str(findings[0])


def test_latin_words_ignore_numbers_and_generation_markers() -> None:
    assert fidelity.latin_words("GPT-3 的 from_pretrained 见 huggingface.co，第 2.1 节。") == {
        "GPT-3": 1,
        "from_pretrained": 1,
        "huggingface.co": 1,
    }
    source = "感谢您阅读本文，再次感谢！<|im_end|>\n初始化为`<|startoftext|>`。\n"
    edition = edition_of("感谢您阅读本文，再次感谢！\n\n初始化为`<|startoftext|>`。\n")
    assert fidelity.missing_latin_words("s.txt", source, edition) == []
    assert fidelity.missing_latin_words("s.txt", source, edition_of("感谢您阅读本文，再次感谢！\n初始化。\n"))


def test_fidelity_command_reports_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "003_test.txt").write_text(
        "# 开源模型与闭源模型的对比\n\n" + SOURCE_302, encoding="utf-8"
    )
    page = tmp_path / "docs" / "zh" / fidelity.ARTICLES["003"] / "index.md"
    page.parent.mkdir(parents=True)
    page.write_text(
        "# 开源模型与闭源模型的对比\n\n" + SOURCE_302.replace("的PyTorch代码", "的代码"), encoding="utf-8"
    )
    args = cli_fidelity.build_args(["003", "--root", str(tmp_path)])
    assert cli_fidelity.run(args) == 1
    err = capsys.readouterr().err
    assert f"docs/zh/{fidelity.ARTICLES['003']}/index.md:3: latin: drops PyTorch (1 of 2)" in err
    assert "fidelity: 1 articles, 1 findings (heading 0, text 0, latin 1, length 0)" in err
    page.write_text("# 开源模型与闭源模型的对比\n\n" + SOURCE_302, encoding="utf-8")
    assert cli_fidelity.run(args) == 0


def test_a_repeated_source_line_needs_its_words_in_every_copy() -> None:
    source = SOURCE_302 + "中间一行，没有英文单词。\n" + SOURCE_302
    both = edition_of(SOURCE_302 + "\n中间一行，没有英文单词。\n\n" + SOURCE_302)
    assert fidelity.missing_latin_words("s.txt", source, both) == []
    one = edition_of(SOURCE_302 + "\n中间一行，没有英文单词。\n\n" + SOURCE_302.replace("ImageNet", ""))
    findings = fidelity.missing_latin_words("s.txt", source, one)
    assert [(f.line, "drops ImageNet of s.txt:3" in f.message) for f in findings] == [(5, True)]
