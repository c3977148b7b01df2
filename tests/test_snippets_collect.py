"""tools.snippets: collecting programs from pages, and every authoring error with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.programs import DEFAULT_TIMEOUT, SnippetError, collect_programs, scan_all

PAGE = """\
# 第一章

<!-- snippet: not-yet-written -->

````markdown
```python {exec="inside-an-example"}
print("not executed: this fence is the body of a markdown fence")
```
````

```python {exec="demo" timeout="300"}
x = 1
```

正文。

```python
print("shown, not executed")
```

```python {exec="demo"}
print(x + 1)
```
"""


def test_fences_of_one_id_form_one_program(make_repo) -> None:
    root = make_repo({"docs/zh/a/01-x.md": PAGE})
    programs = collect_programs(root)
    assert list(programs) == ["demo"]
    demo = programs["demo"]
    assert demo.page == "docs/zh/a/01-x.md"
    assert demo.timeout == 300.0
    assert [(c.line, c.code) for c in demo.cells] == [(12, "x = 1\n"), (22, "print(x + 1)\n")]


def test_default_timeout_and_page_order(make_repo) -> None:
    root = make_repo(
        {
            "docs/zh/b.md": '```python {exec="second"}\npass\n```\n',
            "docs/zh/a.md": '```python {exec="first"}\npass\n```\n',
        }
    )
    programs = collect_programs(root)
    assert list(programs) == ["first", "second"]
    assert programs["first"].timeout == DEFAULT_TIMEOUT


def test_no_pages_no_programs(tmp_path: Path) -> None:
    assert collect_programs(tmp_path) == {}


FENCE = '```python {{exec="demo"}}\n{}\n```\n'


@pytest.mark.parametrize(
    "files, where, message",
    [
        (
            {"docs/zh/p.md": 'text\n```python {exec="demo"}\nx = 1\n'},
            "docs/zh/p.md:2",
            "unterminated code fence",
        ),
        (
            {"docs/zh/p1.md": FENCE.format("x = 1"), "docs/zh/p2.md": "\n\n" + FENCE.format("y = 2")},
            "docs/zh/p2.md:3",
            'snippet id "demo" is already used on docs/zh/p1.md:1',
        ),
        (
            {"docs/zh/p.md": '1. step\n\n    ```python {exec="demo"}\n    x = 1\n    ```\n'},
            "docs/zh/p.md:3",
            "must start at column 0",
        ),
        (
            {"docs/zh/p.md": '```python {exec="GPT_2"}\nx = 1\n```\n'},
            "docs/zh/p.md:1",
            'invalid snippet id "GPT_2"',
        ),
        (
            {"docs/zh/p.md": "# 标题\n".encode() + b"ok\n\xff\xfe\n"},
            "docs/zh/p.md:3",
            "not valid UTF-8 at byte 12; re-save the file as UTF-8",
        ),
        (
            {"docs/zh/p.md": "# t\n\n" + FENCE.format("x = 1\nif x\n    pass")},
            "docs/zh/p.md:5",
            'syntax error in snippet "demo"',
        ),
        ({"docs/zh/p.md": '```bash {exec="demo"}\nls\n```\n'}, "docs/zh/p.md:1", "only python fences"),
        (
            {"docs/zh/p.md": "```python exec=demo\nx = 1\n```\n"},
            "docs/zh/p.md:1",
            'malformed executable fence "```python exec=demo"; write it as ```python {exec=',
        ),
        (
            {"docs/zh/p.md": '```python exec="demo"\nx = 1\n```\n'},
            "docs/zh/p.md:1",
            'write it as ```python {exec="snippet-id"}',
        ),
        (
            {"docs/zh/p.md": '```python {exec="demo" timout="2" colour="red"}\nx = 1\n```\n'},
            "docs/zh/p.md:1",
            'unknown fence option timout="…"; the known options are: exec:',
        ),
        (
            {"docs/zh/p.md": '```python {exec="demo" data="nothing/*.csv"}\nx = 1\n```\n'},
            "docs/zh/p.md:1",
            'data="nothing/*.csv" matches no file',
        ),
        (
            {"docs/zh/p.md": '```python {exec="demo" data="../secret.txt"}\nx = 1\n```\n'},
            "docs/zh/p.md:1",
            "must be a glob relative to the repository root",
        ),
        (
            {"docs/zh/p.md": '```python {exec="demo" data="docs/zh/p.md"}\nx = 1\n```\n'},
            "docs/zh/p.md:1",
            "pages, tools, generated and installed files are never",
        ),
        (
            {"docs/zh/p.md": FENCE.format("x = 1") + '```python {exec="demo" timeout="9"}\nx\n```\n'},
            "docs/zh/p.md:4",
            "put timeout= on the first fence",
        ),
        (
            {"docs/zh/p.md": '```python {exec="demo" timeout="soon"}\nx = 1\n```\n'},
            "docs/zh/p.md:1",
            'timeout="soon" is not a number of seconds',
        ),
        (
            {"docs/zh/p.md": FENCE.format("import os\nfrom tools.execution.runner import run_program")},
            "docs/zh/p.md:3",
            "imports tools/",
        ),
    ],
    ids=[
        "unterminated",
        "duplicate-id",
        "indented",
        "invalid-id",
        "non-utf8",
        "syntax-error",
        "not-python",
        "malformed-exec",
        "old-syntax",
        "unknown-option",
        "data-no-match",
        "data-parent",
        "data-page",
        "late-timeout",
        "bad-timeout",
        "imports-tools",
    ],
)
def test_bad_pages_name_file_and_line(make_repo, files, where, message) -> None:
    root = make_repo(files)
    with pytest.raises(SnippetError) as info:
        collect_programs(root)
    assert str(info.value).startswith(f"{where}: ")
    assert message in str(info.value)


def test_all_problems_are_reported_not_just_the_first(make_repo) -> None:
    root = make_repo(
        {
            "docs/zh/a.md": '```python {exec="A"}\nx\n```\n',
            "docs/zh/b.md": '```python {exec="b"}\nx = (\n```\n',
        }
    )
    _, errors = scan_all(root)
    assert [f"{e.path}:{e.line}" for e in errors][:2] == ["docs/zh/a.md:1", "docs/zh/b.md:2"]


ZH = """\
# 标题

```python {exec="demo"}
# 加载数据
data = [1, 2, 3]
print(sum(data))
```
"""


def _problems(make_repo, en: str, zh: str = ZH, en_path: str = "docs/en/p.md") -> list[str]:
    root = make_repo({"docs/zh/p.md": zh, en_path: en})
    return [str(error) for error in scan_all(root)[1]]


def test_translated_comments_are_the_same_program(make_repo) -> None:
    assert _problems(make_repo, ZH.replace("# 加载数据", "# load the data  ").replace("标题", "Title")) == []


def test_en_program_that_differs_names_en_line_and_both_sources(make_repo) -> None:
    en = ZH.replace("# 加载数据\n", "").replace("[1, 2, 3]", "[1, 2, 4]")
    assert _problems(make_repo, en) == [
        'docs/en/p.md:4: snippet "demo" differs from docs/zh/p.md:5: en has `data = [1, 2, 4]` '
        "where zh has `data = [1, 2, 3]`; the zh and en fences must be the same program "
        "(only comments may differ)"
    ]


def test_en_program_with_an_extra_statement(make_repo) -> None:
    en = ZH.replace("print(sum(data))", "print(sum(data))\nprint(len(data))")
    [problem] = _problems(make_repo, en)
    assert problem.startswith('docs/en/p.md:7: snippet "demo" differs from docs/zh/p.md:6')


def test_unknown_id_in_en(make_repo) -> None:
    en = ZH + '\n```python {exec="extra"}\npass\n```\n'
    assert _problems(make_repo, en) == [
        'docs/en/p.md:9: unknown id "extra": docs/zh/ has no fence with this id; use the id of '
        "the zh fence this one translates"
    ]


def test_zh_id_missing_in_en(make_repo) -> None:
    [problem] = _problems(make_repo, "# Title\n")
    assert problem.startswith(
        'docs/zh/p.md:3: snippet "demo" is missing in English: copy its fences to docs/en/p.md'
    )


def test_en_id_on_the_wrong_page(make_repo) -> None:
    [problem] = _problems(make_repo, ZH, en_path="docs/en/other.md")
    assert problem.startswith('docs/en/other.md:3: snippet "demo" belongs on docs/en/p.md')


def test_en_splits_cells_differently(make_repo) -> None:
    en = ZH.replace("data = [1, 2, 3]\n", 'data = [1, 2, 3]\n```\n\n```python {exec="demo"}\n')
    [problem] = _problems(make_repo, en)
    assert problem.startswith("docs/en/p.md:")
    assert "differs" in problem or "fences" in problem
