"""Language parity checker (`python -m tools parity`) and the stale-translation banner hook."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from tools.checks import parity, parity_page

ROOT = Path(__file__).resolve().parents[1]

ZH = dedent(
    """\
    # 标题

    介绍 $x^2$ 的文字。

    $$
    E = mc^2
    $$

    ## 1. 第一节

    ```mermaid
    graph TD; A-->B
    ```

    | 列 | 值 | 注 |
    | --- | --- | --- |
    | a | 1 | - |

    !!! note "说明"
        内容。

    ![示意图](../assets/fig.png)


    ```python {exec="demo"}
    # 设置一个变量
    x = 1
    print("hello", x)
    ```

    ## 2. 第二节

    | 中文 | English |
    | --- | --- |
    | 开源 | open source |

    ```python {exec="other"}
    y = 2  # 中文注释
    ```
    """
)

EN = dedent(
    """\
    # Title

    An introduction to $x^2$.

    $$
    E = mc^2
    $$

    ## 1. First section

    ```mermaid
    graph TD; A-->B
    ```

    | Column | Value | Note |
    | --- | --- | --- |
    | a | 1 | - |

    !!! note "Note"
        Content.

    ![Diagram](../assets/fig.png)


    ```python {exec="demo"}
    # set a variable
    x = 1
    print("hello", x)
    ```

    ## 2. Second section

    The term “开源” and <span lang="zh">闭源</span>, `模型` and '模型' may stay Chinese.

    | English | 中文 |
    | --- | --- |
    | open source | 开源 |

    ```python {exec="other"}
    y = 2  # English comment
    ```
    """
)


def make_site(root: Path, zh: str = ZH, en: str = EN, *, stamp: bool = True) -> Path:
    for lang, text in (("zh", zh), ("en", en)):
        page = root / "docs" / lang / "a.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8")
    if stamp:
        parity.stamp(root, "docs/en/a.md")
    return root


def run_parity(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = parity.main(["--root", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_matching_pair_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run_parity(make_site(tmp_path), capsys)
    assert code == 0, output
    assert "1 page pairs, 0 errors, 0 warnings" in output


def test_missing_twin_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_site(tmp_path)
    (tmp_path / "docs/en/a.md").rename(tmp_path / "docs/en/b.md")
    code, output = run_parity(tmp_path, capsys)
    assert code == 1
    assert "docs/zh/a.md:1: error: has no English twin: create docs/en/a.md" in output
    assert "docs/en/b.md:1: error: has no Chinese original docs/zh/b.md" in output


def drop(needle: str) -> Callable[[str], str]:
    return lambda text: text.replace(needle, "", 1)


def swap(old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(old, new, 1)


# (rule, how the en page is broken, where the error points: (language, text on that line), message part)
BROKEN_EN = [
    (
        "heading count",
        drop("## 1. First section\n"),
        ("zh", "## 1. 第一节"),
        "2 level-2 headings in docs/zh/a.md but 1 in docs/en/a.md",
    ),
    (
        "heading level",
        swap("## 2. Second section", "### 2. Second section"),
        ("en", "### 2. Second section"),
        "2 level-2 headings in docs/zh/a.md but 1 in docs/en/a.md",
    ),
    ("inline formula count", swap("to $x^2$", "to x squared"), ("zh", "介绍 $x^2$"), "inline formulas"),
    ("display formula count", drop("$$\nE = mc^2\n$$\n"), ("zh", "$$"), "display formulas"),
    ("diagram", swap("```mermaid", "```text"), ("zh", "```mermaid"), "mermaid diagrams"),
    (
        "table",
        drop("| Column | Value | Note |\n| --- | --- | --- |\n| a | 1 | - |\n"),
        ("zh", "| 列 | 值 | 注 |"),
        "tables",
    ),
    ("admonition", drop('!!! note "Note"\n    Content.\n'), ("zh", '!!! note "说明"'), "admonitions"),
    (
        "extra image",
        swap("An introduction", "![Extra](extra.png) An introduction"),
        ("en", "![Extra](extra.png)"),
        "images",
    ),
    ("missing image", drop("![Diagram](../assets/fig.png)\n"), ("zh", "![示意图]"), "images"),
    ("snippet id", swap('exec="other"', 'exec="another"'), ("en", 'exec="another"'), "found 'another'"),
    (
        "snippet order",
        lambda t: (
            t.replace('exec="demo"', 'exec="X"')
            .replace('exec="other"', 'exec="demo"')
            .replace('exec="X"', 'exec="other"')
        ),
        ("en", 'exec="other"'),
        "found 'other' where",
    ),
    (
        "missing snippet",
        drop('```python {exec="other"}\ny = 2  # English comment\n```\n'),
        ("zh", 'exec="other"'),
        "'other' has no counterpart in docs/en/a.md",
    ),
    (
        "AST mismatch",
        swap('print("hello", x)', 'print("hi", x)'),
        ("en", 'print("hi", x)'),
        """en has `print("hi", x)` where zh has `print("hello", x)`""",
    ),
    (
        "syntax error",
        swap('print("hello", x)', 'print("hello", x'),
        ("en", 'print("hello", x'),
        'syntax error in snippet "demo"',
    ),
    ("Chinese in prose", swap("An introduction to", "An 介绍 to"), ("en", "An 介绍 to"), "'介绍'"),
    ("Chinese in admonition", swap("    Content.", "    内容 here."), ("en", "    内容 here."), "'内容'"),
    (
        "Chinese outside glossary column",
        swap("| a | 1 | - |", "| a | 1 | 一 |"),
        ("en", "| a | 1 | 一 |"),
        "'一'",
    ),
]


@pytest.mark.parametrize(("rule", "break_en", "where", "message"), BROKEN_EN, ids=[c[0] for c in BROKEN_EN])
def test_broken_pair_fails_with_file_and_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rule: str,
    break_en: Callable[[str], str],
    where: tuple[str, str],
    message: str,
) -> None:
    en = break_en(EN)
    assert en != EN, f"fixture edit for {rule!r} changed nothing"
    make_site(tmp_path, en=en)
    code, output = run_parity(tmp_path, capsys)
    assert code == 1, output
    lang, needle = where
    on_disk = (tmp_path / "docs" / lang / "a.md").read_text(encoding="utf-8")
    location = f"docs/{lang}/a.md:{line_of(on_disk, needle)}: error:"
    errors = [line for line in output.splitlines() if location in line]
    assert errors, f"expected an error at {location}, got:\n{output}"
    assert any(message in line for line in errors), output


def test_missing_source_hash_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_site(tmp_path, stamp=False)
    code, output = run_parity(tmp_path, capsys)
    assert code == 1
    assert "docs/en/a.md:1: error: front matter has no `source_hash`" in output
    assert "python -m tools parity --stamp docs/en/a.md" in output


def test_stale_source_hash_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_site(tmp_path)
    (tmp_path / "docs/zh/a.md").write_text(ZH + "\n新的一段。\n", encoding="utf-8")
    code, output = run_parity(tmp_path, capsys)
    assert code == 0, output
    assert (
        "docs/en/a.md:2: warning: docs/en/a.md translates an older version of docs/zh/a.md (changed since); "
        "update the translation, then run `python -m tools parity --stamp docs/en/a.md`"
    ) in output
    assert run_parity(tmp_path, capsys, "--strict")[0] == 1
    assert run_parity(tmp_path, capsys, "--stamp", "docs/en/a.md")[0] == 0
    assert run_parity(tmp_path, capsys, "--strict")[0] == 0


def test_stamp_keeps_other_front_matter_and_body(tmp_path: Path) -> None:
    en = "---\ntitle: Page\nsource_hash: 000000000000\n---\n" + EN
    make_site(tmp_path, en=en, stamp=False)
    digest = parity.stamp(tmp_path, "docs/zh/a.md")  # the zh path names its en twin
    expected = parity.source_hash((tmp_path / "docs/zh/a.md").read_bytes())
    assert digest == expected and len(digest) == 12
    assert (tmp_path / "docs/en/a.md").read_text(encoding="utf-8") == en.replace("000000000000", digest)
    assert not [p for p in (tmp_path / "docs/en").iterdir() if p.name != "a.md"], "temporary file left behind"


def test_stamp_adds_front_matter(tmp_path: Path) -> None:
    make_site(tmp_path)
    text = (tmp_path / "docs/en/a.md").read_text(encoding="utf-8")
    assert text.startswith("---\nsource_hash: ") and text.endswith(EN)
    assert (
        parity.stamp(tmp_path, "docs/en/a.md")
        and (tmp_path / "docs/en/a.md").read_text(encoding="utf-8") == text
    )


def test_stamp_all_and_bad_stamp_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_site(tmp_path, stamp=False)
    code, output = run_parity(tmp_path, capsys, "--stamp-all")
    assert code == 0 and "docs/en/a.md: source_hash" in output
    code, output = run_parity(tmp_path, capsys, "--stamp", "docs/en/missing.md")
    assert code == 1 and "docs/en/missing.md: cannot stamp, docs/en/missing.md does not exist" in output


def test_unterminated_fence_is_reported_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_site(tmp_path, en=EN + "\n```python\nx = 1\n")
    code, output = run_parity(tmp_path, capsys)
    assert code == 1
    line = line_of((tmp_path / "docs/en/a.md").read_text(encoding="utf-8"), "```python\nx = 1")
    assert f"docs/en/a.md:{line}: error: unterminated code fence" in output


def test_headings_formulas_and_tables_ignore_code() -> None:
    page = parity_page.Page.parse(
        "x.md",
        dedent(
            """\
        ---
        title: $not math$
        ---
        # Real heading

        ```python
        # a comment, not a heading; $x$ and | a | b |
        ```

            # indented: not a heading

        Price: `$5` and `$6`, math $a+b$ and \\$7.
        """
        ),
    )
    assert [(i.line, i.text) for i in parity_page.headings(page)] == [(4, "Real heading")]
    assert [i.text for i in parity_page.inline_formulas(page)] == ["$a+b$"]
    assert parity_page.tables(page) == []


def test_comment_only_differences_are_the_same_program() -> None:
    zh = parity.Page.parse("docs/zh/a.md", '```python {exec="s"}\nx = 1  # 一\n# 二\nprint(x)\n```\n')
    en = parity.Page.parse("docs/en/a.md", '```python {exec="s"}\nx = 1  # one\nprint(x)  # two\n```\n')
    assert parity.check_snippets(zh, en) == []


@pytest.mark.skipif(not (ROOT / "tools" / "__main__.py").exists(), reason="tools/__main__.py not written yet")
def test_command_line_entry_point(tmp_path: Path) -> None:
    make_site(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "tools", "parity", "--root", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 page pairs, 0 errors, 0 warnings" in result.stderr


def test_real_site_is_in_parity(capsys: pytest.CaptureFixture[str]) -> None:
    """The real docs/: every zh page has an en twin saying the same things (stale hashes only warn)."""
    code, output = run_parity(ROOT, capsys)
    assert code == 0, f"python -m tools parity reports:\n{output}"


# ---------------------------------------------------------------- stale-translation banner


def build_fixture_site(root: Path) -> str:
    """Build the fixture site under root with `mkdocs build --strict`; return its log."""
    hook = ROOT / "tools" / "site" / "i18n_hooks.py"
    (root / "mkdocs.yml").write_text(
        dedent(
            f"""\
        site_name: Fixture
        docs_dir: docs
        theme: {{name: mkdocs}}
        plugins:
          - i18n:
              docs_structure: folder
              languages:
                - {{locale: zh, name: 中文, default: true, build: true}}
                - {{locale: en, name: English, build: true}}
        hooks:
          - {hook}
        markdown_extensions:
          - admonition
        """
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_stale_translation_banner(tmp_path: Path) -> None:
    for lang, title in (("zh", "中文页面"), ("en", "English page")):
        for rel in ("index.md", "guide/page.md"):
            page = tmp_path / "docs" / lang / rel
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(f"# {title}\n\nText.\n", encoding="utf-8")
    parity.stamp(tmp_path, "docs/en/index.md")
    parity.stamp(tmp_path, "docs/en/guide/page.md")
    build_fixture_site(tmp_path)
    html = (tmp_path / "site/en/guide/page/index.html").read_text(encoding="utf-8")
    assert "English page" in html and "Translation may be out of date" not in html

    (tmp_path / "docs/zh/guide/page.md").write_text("# 中文页面\n\n改过的文字。\n", encoding="utf-8")
    log = build_fixture_site(tmp_path)
    assert "INFO    -  en/guide/page.md: translation may be out of date" in log, log
    html = (tmp_path / "site/en/guide/page/index.html").read_text(encoding="utf-8")
    assert "Translation may be out of date" in html
    assert '<a href="../../../guide/page/">Read the Chinese original</a>' in html
    assert (tmp_path / "site/guide/page/index.html").is_file()  # the link's target exists
    assert html.index("English page") < html.index("Translation may be out of date")  # title stays first
    assert "Translation may be out of date" not in (tmp_path / "site/en/index.html").read_text(
        encoding="utf-8"
    )
    assert "Translation may be out of date" not in (tmp_path / "site/guide/page/index.html").read_text(
        encoding="utf-8"
    )
