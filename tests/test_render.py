"""Rendering recorded outputs into pages, with fake recordings (no MkDocs build, no PyTorch)."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from textwrap import dedent

import pytest

from tests.conftest import recording_of
from tools.recordings import Recording, RecordingState
from tools.site.embed import DownloadLinks, PageContext, ReportRow, embed_outputs, report_markdown
from tools.site.render import cell_output_html, provenance_line

PAGE = dedent(
    """\
    # Title

    ```python {exec="demo" timeout="300"}
    print("<b>hi</b>")
    ```

    Between.

    ```python {exec="demo"}
    quiet = True
    ```

    ```python {exec="demo"}
    plot()
    ```
    """
)


def recording(profile: str = "cpu", *, device: str = "CPU: Test (2 threads)") -> Recording:
    return recording_of(
        "demo",
        ["<b>hi</b> & *not emphasis*\n\nafter a blank line\n", "", ""],
        figures={3: ["cell3-fig1-0123abcd.png"]},
        profile=profile,
        lines=[4, 10, 14],
        device=device,
        duration_s=12.34,
    )


CPU = RecordingState("cpu", recording(), "fresh")
GPU = RecordingState("cuda", recording("cuda", device="NVIDIA H200"), "fresh")


def figure_url(profile: str, path: str) -> str:
    return f"../assets/recordings/{profile}/{path}"


def embed(states: list[RecordingState], *, lang: str = "en", page: str = PAGE, **kwargs: object):
    context = PageContext(
        page=f"docs/{lang}/demo.md", lang=lang, states=lambda _id: states, figure_url=figure_url, **kwargs
    )
    return embed_outputs(page, context)


def test_output_text_is_escaped_not_injected() -> None:
    html, problems = embed([CPU])
    assert problems == []
    assert "&lt;b&gt;hi&lt;/b&gt; &amp; *not emphasis*\n\nafter a blank line</code></pre>" in html
    assert "<b>hi</b> &" not in html


def test_exec_attributes_become_a_plain_fence_with_a_title() -> None:
    html, _ = embed([CPU])
    assert '```python title="demo.py (1/3)"\n' in html
    assert '```python title="demo.py (2/3)"\n' in html
    assert "exec=" not in html and "timeout=" not in html


def test_each_cell_gets_its_output_and_only_the_last_the_provenance() -> None:
    html, _ = embed([CPU])
    assert html.count('class="snippet-output"') == 2  # cell 2 printed nothing: no box
    assert 'data-cell="2"' not in html
    assert html.count('class="snippet-provenance"') == 1
    assert html.index('data-cell="1"') < html.index("Between.") < html.index('data-cell="3"')
    assert html.index('data-cell="3"') < html.index("snippet-provenance")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figure_url_comes_from_the_page_context(lang: str) -> None:
    html, _ = embed([CPU], lang=lang)
    assert '<img src="../assets/recordings/cpu/demo/cell3-fig1-0123abcd.png"' in html


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "zh",
            "记录于 CPU: Test (2 threads)，2026-11-23 · Python 3.11.7 · torch 2.13.0+cpu · "
            "transformers 5.23.0 · 用时 12.3 秒 · 提交 abc1234",
        ),
        (
            "en",
            "Recorded on CPU: Test (2 threads), 2026-11-23 · Python 3.11.7 · torch 2.13.0+cpu · "
            "transformers 5.23.0 · took 12.3 s · commit abc1234",
        ),
    ],
)
def test_provenance_line_in_each_language(lang: str, expected: str) -> None:
    assert provenance_line(recording(), lang=lang) == expected
    assert expected in embed([CPU], lang=lang)[0]


def test_cpu_and_gpu_recordings_become_content_tabs() -> None:
    html = cell_output_html(
        [CPU, GPU], snippet_id="demo", cell_index=3, last=True, figure_url=figure_url, lang="en"
    )
    assert html.startswith('<div class="tabbed-set tabbed-alternate snippet-tabs" data-tabs="0:2">')
    assert (
        '<label for="snippet-demo-3-1">CPU</label><label for="snippet-demo-3-2">GPU · NVIDIA H200</label>'
        in html
    )
    assert 'data-profile="cpu"' in html and 'data-profile="cuda"' in html
    assert "Recorded on NVIDIA H200, 2026-11-23" in html
    assert "\n    " not in html  # raw HTML stays at column 0, or Markdown would re-parse it


def test_only_cpu_recording_means_no_tabs() -> None:
    html = cell_output_html(
        [CPU], snippet_id="demo", cell_index=1, last=False, figure_url=figure_url, lang="en"
    )
    assert html.startswith(
        '<div class="snippet-output" data-snippet="demo" data-profile="cpu" data-cell="1" data-search-exclude>'
    )
    assert "tabbed" not in html


def test_a_cell_without_output_renders_nothing() -> None:
    assert (
        cell_output_html(
            [CPU, GPU], snippet_id="demo", cell_index=2, last=False, figure_url=figure_url, lang="en"
        )
        == ""
    )


def test_last_cell_without_output_still_shows_the_provenance() -> None:
    page = '# T\n\n```python {exec="demo"}\npass\n```\n'
    rec = recording_of("demo", [""], lines=[4], duration_s=12.34)
    html, _ = embed([RecordingState("cpu", rec, "fresh")], page=page)
    assert 'class="snippet-output snippet-output--empty"' in html and "<pre>" not in html


def test_missing_recording_is_a_problem_and_a_visible_warning() -> None:
    missing = RecordingState("cpu", None, "missing", "recordings/cpu/demo.json does not exist")
    html, problems = embed([missing], lang="zh")
    assert [str(p) for p in problems] == [
        "docs/zh/demo.md:3: snippet 'demo': no recording (recordings/cpu/demo.json does not exist). "
        "Refresh it with `python -m tools run demo --force`"
    ]
    assert '!!! warning "缺少运行记录"' in html and "python -m tools run demo" in html
    assert "snippet-output" not in html


def test_stale_cuda_recording_is_dropped_not_an_error() -> None:
    """An optional profile's stale recording cannot be redone on a CPU: `consequence` says
    warning (tools check warns), so the page leaves it out and the strict build passes."""
    stale = RecordingState("cuda", recording("cuda", device="NVIDIA H200"), "code-changed", "code changed")
    html, problems = embed([CPU, stale])
    assert problems == []
    assert "tabbed-set" not in html and 'data-profile="cuda"' not in html
    assert "!!! warning" not in html


def test_missing_gpu_recording_is_fine() -> None:
    _, problems = embed([CPU, RecordingState("cuda", None, "missing", "no file")])
    assert problems == []


def test_cell_count_mismatch_makes_the_recording_stale() -> None:
    rec = replace(recording(), cells=recording().cells[:2])
    html, problems = embed([RecordingState("cpu", rec, "fresh")])
    assert "it has 2 cells but the page has 3 fences" in str(problems[0])
    assert "snippet-output" not in html


def test_download_buttons_follow_the_first_cell() -> None:
    links = DownloadLinks(py_url="../downloads/demo.py", ipynb_url=None, notebook_url="../notebooks/demo/")
    html, _ = embed([CPU], downloads=lambda _id: links)
    bar = html.index('class="snippet-downloads"')
    assert html.index('data-cell="1"') < bar < html.index("Between.")
    assert 'href="../downloads/demo.py" download>' in html and ".ipynb" not in html


def test_report_table_has_a_row_per_recording() -> None:
    stale = RecordingState("cpu", recording(), "code-changed", "code changed")
    rows = [
        ReportRow("demo", "a/b.md#snippet-demo", "Page | One", CPU),
        ReportRow("demo", "a/b.md#snippet-demo", "Page | One", GPU),
        ReportRow("other", "c.md#snippet-other", "C", stale),
        ReportRow("gone", "c.md#snippet-gone", "C", RecordingState("cpu", None, "missing", "no file")),
    ]
    table = report_markdown(rows, lang="en")
    assert table.startswith(
        "3 snippets (CPU recordings): 1 fresh, 1 stale, 1 missing; plus 1 GPU recordings."
    )
    lines = table.splitlines()
    assert lines[2] == "| Snippet | Page | Profile | Status | Duration | Device | Recorded |"
    assert "[Page &#124; One](a/b.md#snippet-demo)" in lines[4]
    assert '<span class="snippet-report__label">Profile</span>GPU |' in lines[5] and "NVIDIA H200" in lines[5]
    assert 'snippet-status--stale" title="code changed">stale<' in lines[6]
    assert lines[7].endswith(
        'missing</span> | <span class="snippet-report__label">Duration</span>— | '
        '<span class="snippet-report__label">Device</span>— | '
        '<span class="snippet-report__label">Recorded</span>— |'
    )
    assert "最新" in report_markdown(rows, lang="zh")


def test_extension_logs_an_error_naming_page_line_and_command(make_repo, caplog) -> None:
    import markdown

    from tools.site import markdown_ext

    page = "---\nsource_hash: x\n---\n\n" + PAGE  # front matter: lines are the file's
    root = make_repo({"docs/zh/demo.md": PAGE.replace("Between.", "之间。"), "docs/en/demo.md": page})
    body = PAGE  # what MkDocs hands Python-Markdown: the page without its front matter
    with caplog.at_level(logging.ERROR, logger="mkdocs.plugins.tools"):
        html = markdown.markdown(
            body,
            extensions=[markdown_ext.makeExtension(root=str(root)), "admonition", "pymdownx.superfences"],
        )
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert messages == [
        "docs/en/demo.md:7: snippet 'demo': no recording (recordings/cpu/demo.json "
        "does not exist). Refresh it with `python -m tools run demo --force`"
    ]
    assert "Recorded output missing" in html and "demo.py (1/3)" in html


def test_extension_reads_the_repository_once_while_nothing_changes(make_repo, monkeypatch) -> None:
    import markdown

    from tools.site import markdown_ext

    root = make_repo({"docs/zh/demo.md": PAGE.replace("Between.", "之间。"), "docs/en/demo.md": PAGE})
    scans: list[Path] = []
    real = markdown_ext.scan_all
    monkeypatch.setattr(markdown_ext, "scan_all", lambda r: scans.append(r) or real(r))
    for _ in range(3):
        markdown.markdown(PAGE, extensions=[markdown_ext.makeExtension(root=str(root))])
    assert len(scans) == 1
    (root / "docs/zh/demo.md").write_text(PAGE.replace("Between.", "中间。"), encoding="utf-8")
    markdown.markdown(PAGE, extensions=[markdown_ext.makeExtension(root=str(root))])
    assert len(scans) == 2


def test_output_survives_the_site_markdown_extensions() -> None:
    """Raw HTML at column 0 is kept verbatim: no emphasis, includes, abbreviations or math inside."""
    import markdown

    tricky = 'a *b* $x$ [^1] --8<-- "nope.md"\n*[HTML]: Hyper\n\n    indented\n|a|b|\n!!! note\n'
    rec = recording_of("demo", [tricky], lines=[4])
    gpu = recording_of("demo", [tricky], lines=[4], profile="cuda", device="NVIDIA H200")
    fragment = cell_output_html(
        [RecordingState("cpu", rec, "fresh"), RecordingState("cuda", gpu, "fresh")],
        snippet_id="demo",
        cell_index=1,
        last=False,
        figure_url=figure_url,
        lang="en",
    )
    extensions = [
        "abbr",
        "admonition",
        "attr_list",
        "footnotes",
        "md_in_html",
        "tables",
        "pymdownx.arithmatex",
        "pymdownx.snippets",
        "pymdownx.superfences",
        "pymdownx.tabbed",
    ]
    configs = {"pymdownx.snippets": {"check_paths": True}, "pymdownx.tabbed": {"alternate_style": True}}
    html = markdown.markdown(
        f"HTML text\n\n{fragment}\n\nafter\n", extensions=extensions, extension_configs=configs
    )
    expected = (
        "a *b* $x$ [^1] --8&lt;-- &quot;nope.md&quot;\n*[HTML]: Hyper\n\n    indented\n|a|b|\n!!! note</code>"
    )
    assert html.count(expected) == 2
    assert "<abbr" not in html and "<em>" not in html


HOSTILE = '[x](javascript:alert(1)) "><img src=x onerror=alert(2)> *em* `code` <script>alert(3)</script>'


def test_recording_fields_are_text_never_markdown_or_html() -> None:
    """Recordings are untrusted: a field holding Markdown or HTML is shown as written, in the
    report table (cells and the status title) and in a page's warning box."""
    import markdown

    from tools.site.render import problem_admonition

    rec = recording()
    rec = replace(rec, provenance=replace(rec.provenance, device=HOSTILE, date=HOSTILE))
    rows = [
        ReportRow(
            "demo",
            "a.md#snippet-demo",
            "Page",
            RecordingState("cpu", rec, "env-drift", f"recorded with {HOSTILE}"),
        )
    ]
    html = markdown.markdown(report_markdown(rows, lang="en"), extensions=["tables", "attr_list"])
    box = markdown.markdown(
        problem_admonition(RecordingState("cpu", None, "broken", HOSTILE), snippet_id="demo", lang="en"),
        extensions=["admonition"],
    )
    for rendered in (html, box):
        assert "javascript:" not in rendered.replace("javascript&#58;", "")
        assert "<img" not in rendered and "<script" not in rendered and "<em>" not in rendered
        assert 'href="' not in rendered.split("snippet-demo")[-1]
    assert html.count("<td>") == 7  # the table kept its shape
