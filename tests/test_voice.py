"""The editors' voice stays inside the editors' boxes (tools/checks/voice.py).

One test per zh article page: every paragraph, heading, list item and table row outside an editors'
box traces to the source article. One test per page pair: the en twin has the same editors' boxes,
of the same kind, in the same order. Pages listed in voice.PENDING_PAGES are expected to fail
(xfail, reported per page) until the helper rewriting them is merged.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from tools.checks import voice

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_PAGES = [page.relative_to(ROOT).as_posix() for _number, page in voice.article_pages(ROOT)]
PAIRS = sorted(p.relative_to(ROOT / "docs" / "zh").as_posix() for p in (ROOT / "docs" / "zh").rglob("*.md"))
_RECORDS: dict[str, tuple[str, set[str]]] = {}


def _record(number: str) -> tuple[str, set[str]]:
    if number not in _RECORDS:
        _RECORDS[number] = voice.source_record(ROOT, number)
    return _RECORDS[number]


def _fail(findings: list, what: str) -> None:
    if findings:
        pytest.fail(f"{what} ({len(findings)}):\n" + "\n".join(f"  {f}" for f in findings), pytrace=False)


@pytest.mark.parametrize("page", ARTICLE_PAGES)
def test_text_outside_boxes_traces_to_the_source(page: str) -> None:
    if page in voice.PENDING_PAGES:
        pytest.xfail(f"pending: {voice.PENDING_PAGES[page]} (tools/checks/voice.py PENDING_PAGES)")
    number = next(n for n, folder in voice.ARTICLES.items() if page.startswith(f"docs/zh/{folder}/"))
    findings = voice.untraced_lines(page, (ROOT / page).read_text(encoding="utf-8"), *_record(number))
    _fail(
        findings,
        f"{page}: text outside an editors' box that the source does not have; put the editors' "
        f'text in a `!!! note "编者说明"` (or `!!! warning "编者注"` for a correction) box',
    )


@pytest.mark.parametrize("page", PAIRS)
def test_en_twin_has_the_same_boxes(page: str) -> None:
    zh, en = ROOT / "docs" / "zh" / page, ROOT / "docs" / "en" / page
    if not en.is_file():
        pytest.skip(f"docs/en/{page} missing (tests/test_parity.py reports it)")
    _fail(
        voice.box_structure(
            f"docs/zh/{page}",
            zh.read_text(encoding="utf-8"),
            f"docs/en/{page}",
            en.read_text(encoding="utf-8"),
        ),
        "the en page's editors' boxes differ from the zh page's",
    )


# ---------------------------------------------------------------- the rules on planted violations

SOURCE = "# 标题\n\n作者写的第一段，讲开源模型。\n\n- 使用 PyTorch 训练\n"


def test_an_editors_paragraph_outside_a_box_fails() -> None:
    signature, words = voice.han_signature(SOURCE), set(voice.LATIN_WORD.findall(SOURCE))
    page = dedent(
        """\
        # 标题

        作者写的第一段，讲开源模型。

        编者在这里补了一段话。

        !!! note "编者说明"
            编者的话放在方框里就可以。

        ??? note "原文代码（未修改）"
            ```python
            print("代码")
            ```

        - 使用 [PyTorch](https://pytorch.org) 训练
        - TensorFlow
        """
    )
    findings = voice.untraced_lines("docs/zh/a/index.md", page, signature, words)
    assert [(f.line, f.rule) for f in findings] == [(5, "voice"), (16, "voice")]
    assert "TensorFlow" in findings[1].message


def test_box_structure_compares_kind_and_order() -> None:
    zh = '!!! warning "编者注"\n    更正。\n\n!!! note "编者说明：背景"\n    说明。\n'
    same = (
        '!!! warning "Editor\'s note"\n    A fix.\n\n!!! note "Editor\'s comment: background"\n    Notes.\n'
    )
    swapped = '!!! note "Editor\'s comment"\n    Notes.\n\n!!! warning "Editor\'s note"\n    A fix.\n'
    missing = '!!! warning "Editor\'s note"\n    A fix.\n'
    assert voice.box_structure("zh.md", zh, "en.md", same) == []
    assert "box 1 is a comment" in voice.box_structure("zh.md", zh, "en.md", swapped)[0].message
    assert "2 editors' boxes in zh.md but 1" in voice.box_structure("zh.md", zh, "en.md", missing)[0].message


def test_box_kinds() -> None:
    assert voice.box_kind("zh", "编者注：BERT 不是闭源模型") == "correction"
    assert voice.box_kind("zh", "编者补充") == "other"
    assert voice.box_kind("en", "Editor's comment") == "comment"
    assert voice.box_kind("en", "Editors' addition") == "other"
