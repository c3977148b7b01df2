"""tools.markdown: byte-identical round trips and fence recognition."""

from textwrap import dedent

import pytest

from tools.markdown import MarkdownError, join_blocks, parse_attrs, split_blocks

CHINESE = dedent(
    """\
    # 开源与闭源大模型

    大语言模型（LLM）的训练需要大量数据。

    ```python exec="gpt2-demo" timeout="300"
    text = "你好，世界"
    print(text)
    ```

    结论：开源模型更透明。
    """
)

NESTED = dedent(
    """\
    作者这样标记代码：

    ````markdown
    ```python exec="demo"
    print(1)
    ```
    ````

    ~~~
    ```
    not a fence here
    ```
    ~~~
    """
)

LIST_INDENTED = dedent(
    """\
    1. 第一步：

        ```bash
        pip install torch
        ```

    2. 第二步
    """
)


@pytest.mark.parametrize(
    "text",
    [
        CHINESE,
        NESTED,
        LIST_INDENTED,
        CHINESE.replace("\n", "\r\n"),
        CHINESE.rstrip("\n"),
        "```python\nx = 1\n```",  # closing fence without a newline
        "",
        "\n\n",
        "只有文字，没有换行",
        "a\u2028b\x0cc\n",  # characters str.splitlines would split on
    ],
    ids=[
        "chinese",
        "nested",
        "list",
        "crlf",
        "no-final-newline",
        "fence-at-eof",
        "empty",
        "blank",
        "no-newline",
        "unicode-separators",
    ],
)
def test_round_trip_is_byte_identical(text: str) -> None:
    assert join_blocks(split_blocks(text)) == text


def test_fence_fields_are_parsed() -> None:
    blocks = split_blocks(CHINESE)
    assert [b.kind for b in blocks] == ["text", "fence", "text"]
    fence = blocks[1]
    assert fence.line == 5
    assert fence.marker == "```"
    assert fence.info == 'python exec="gpt2-demo" timeout="300"'
    assert fence.lang == "python"
    assert fence.attrs == {"exec": "gpt2-demo", "timeout": "300"}
    assert fence.body == 'text = "你好，世界"\nprint(text)\n'
    assert blocks[2].line == 9


def test_nested_fences_stay_inside_the_outer_fence() -> None:
    fences = [b for b in split_blocks(NESTED) if b.kind == "fence"]
    assert [(f.marker, f.lang, f.line) for f in fences] == [("````", "markdown", 3), ("~~~", "", 9)]
    assert fences[0].body == '```python exec="demo"\nprint(1)\n```\n'
    assert fences[1].body == "```\nnot a fence here\n```\n"


def test_indented_fence_in_a_list_is_dedented() -> None:
    fence = next(b for b in split_blocks(LIST_INDENTED) if b.kind == "fence")
    assert fence.indent == "    "
    assert fence.body == "pip install torch\n"


def test_crlf_body_uses_newlines() -> None:
    fence = next(b for b in split_blocks(CHINESE.replace("\n", "\r\n")) if b.kind == "fence")
    assert fence.body == 'text = "你好，世界"\nprint(text)\n'
    assert fence.info == 'python exec="gpt2-demo" timeout="300"'


def test_closing_fence_must_be_at_least_as_long() -> None:
    blocks = split_blocks("````\n```\n````\n")
    assert len(blocks) == 1 and blocks[0].body == "```\n"


def test_backtick_in_info_is_not_a_fence() -> None:
    assert [b.kind for b in split_blocks("```inline``` code\n")] == ["text"]


@pytest.mark.parametrize("text, line", [("```python\nx = 1\n", 1), ("a\n\nb\n~~~~\n~~~\n", 4)])
def test_unterminated_fence_names_file_and_line(text: str, line: int) -> None:
    with pytest.raises(MarkdownError) as info:
        split_blocks(text, path="docs/zh/a.md")
    assert info.value.path == "docs/zh/a.md"
    assert info.value.line == line
    assert str(info.value).startswith(f"docs/zh/a.md:{line}: unterminated code fence")


@pytest.mark.parametrize(
    "info, attrs",
    [
        ('python exec="a-1"', {"exec": "a-1"}),
        ("python exec='a' timeout=\"3\"", {"exec": "a", "timeout": "3"}),
        ("python", {}),
        ("python exec=a", {}),
        ('{ .python title="x y" }', {"title": "x y"}),
    ],
)
def test_parse_attrs(info: str, attrs: dict[str, str]) -> None:
    assert parse_attrs(info) == attrs
