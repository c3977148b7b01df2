"""Pre-rendered diagrams (tools/site/diagrams.py): the fence scanner, the hash, the superfences
format function the build uses, the --check freshness mode, and a strict MkDocs build that
fails on a diagram that was changed but not re-rendered."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import markdown
import pytest

from tools.site import diagrams

ROOT = Path(__file__).resolve().parents[1]

PAGE = textwrap.dedent(
    """\
    # A page

    ```mermaid
    graph LR
        A[开源] --> B[社区]
    ```

    !!! note "Indented"

        ```mermaid
        graph TB
            C --> D
        ```
    """
)


def _project(tmp_path: Path) -> Path:
    (tmp_path / "docs" / "zh").mkdir(parents=True)
    (tmp_path / "docs" / "zh" / "page.md").write_text(PAGE, encoding="utf-8")
    return tmp_path


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["admonition", "pymdownx.superfences"],
        extension_configs={
            "pymdownx.superfences": {
                "custom_fences": [{"name": "mermaid", "class": "diagram", "format": diagrams.fence_format}]
            }
        },
    )


def test_scan_finds_top_level_and_indented_fences(tmp_path: Path) -> None:
    root = _project(tmp_path)
    fences = diagrams.scan_fences(root)
    assert [(f.path.name, f.line) for f in fences] == [("page.md", 3), ("page.md", 10)]
    assert fences[0].source == "graph LR\n    A[开源] --> B[社区]"
    assert fences[1].source == "graph TB\n    C --> D"


def test_hash_ignores_trailing_spaces_but_not_content() -> None:
    assert diagrams.diagram_hash("graph LR\n  A --> B  \n\n") == diagrams.diagram_hash("graph LR\n  A --> B")
    assert diagrams.diagram_hash("graph LR\n  A --> B") != diagrams.diagram_hash("graph LR\n  A --> C")


def test_the_build_inlines_the_rendered_svg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path)
    monkeypatch.setattr(diagrams, "REPO_ROOT", root)
    for fence in diagrams.scan_fences(root):
        path = diagrams.svg_path(root, fence.key)
        path.parent.mkdir(exist_ok=True)
        path.write_text(
            f'<?xml version="1.0"?>\n<svg id="diagram-{fence.key}"><text>x</text></svg>\n', encoding="utf-8"
        )
    html = _markdown().convert(PAGE)
    assert html.count("<svg ") == 2 and "<?xml" not in html
    assert 'class="diagram" data-diagram="' in html
    assert "-->" not in html and "mermaid" not in html


def test_a_changed_diagram_is_an_error_naming_the_page_and_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    root = _project(tmp_path)
    monkeypatch.setattr(diagrams, "REPO_ROOT", root)
    with caplog.at_level(logging.ERROR, logger="mkdocs.plugins.diagrams"):
        html = _markdown().convert(PAGE)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "docs/zh/page.md:3" in messages[0] and "docs/zh/page.md:10" in messages[1]
    assert all("python -m tools diagrams" in message for message in messages)
    assert "diagram--missing" in html  # without --strict the page shows the source, marked


def test_check_mode_reports_missing_and_unused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = _project(tmp_path)
    (root / "diagrams").mkdir()
    (root / "diagrams" / "0123456789abcdef.svg").write_text("<svg/>", encoding="utf-8")
    status = diagrams.run(argparse.Namespace(root=root, check=True, force=False))
    out = capsys.readouterr().out
    assert status == 1
    assert "docs/zh/page.md:3: diagram" in out and "not rendered" in out
    assert "diagrams/0123456789abcdef.svg: no fence uses it" in out


def test_every_diagram_of_the_site_is_rendered_and_used() -> None:
    # The freshness check `make check`-style: a new or edited diagram needs
    # `python -m tools diagrams` (and the SVG committed).
    status = diagrams.run(argparse.Namespace(root=ROOT, check=True, force=False))
    assert status == 0, "run `python -m tools diagrams`"


def test_rendered_svgs_keep_their_natural_size() -> None:
    # Shown at natural size (no max-width scaling): mermaid's useMaxWidth is off.
    for path in sorted((ROOT / "diagrams").glob("*.svg")):
        head = path.read_text(encoding="utf-8")[:600]
        assert "max-width" not in head, path.name
        assert f'id="diagram-{path.stem}"' in head, path.name


def test_strict_mkdocs_build_fails_on_a_diagram_that_is_not_rendered(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(
        "# Home\n\n```mermaid\ngraph LR\n    X[a diagram nobody rendered] --> Y\n```\n", encoding="utf-8"
    )
    (tmp_path / "mkdocs.yml").write_text(
        textwrap.dedent(
            """\
            site_name: t
            theme: mkdocs
            markdown_extensions:
              - pymdownx.superfences:
                  custom_fences:
                    - name: mermaid
                      class: diagram
                      format: !!python/name:tools.site.diagrams.fence_format
            """
        ),
        encoding="utf-8",
    )
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "has no pre-rendered SVG" in result.stderr and "python -m tools diagrams" in result.stderr


# Committed SVGs are untrusted: nothing that runs code or loads a resource is inlined.
_SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'


@pytest.mark.parametrize(
    "body, problem",
    [
        ("<script>alert(1)</script>", "<script> element"),
        ('<g onload="alert(1)"/>', "event attribute onload="),
        ('<a href="javascript:alert(1)"><text>x</text></a>', "links outside the document"),
        ('<image xlink:href="https://example.org/x.png"/>', "links outside the document"),
        ("<style>@import url(https://example.org/x.css);</style>", "<style> element loads"),
        ('<foreignObject><iframe src="https://example.org"/></foreignObject>', "<iframe> element"),
    ],
)
def test_unsafe_svg_is_reported(body: str, problem: str) -> None:
    from tools.site.svg import svg_problems

    assert any(problem in found for found in svg_problems(_SVG.format(body)))


def test_entities_are_refused() -> None:
    from tools.site.svg import svg_problems

    bomb = '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]><svg>&a;</svg>'
    assert svg_problems(bomb)


def test_every_committed_diagram_is_safe() -> None:
    from tools.site.svg import svg_problems

    for path in sorted((ROOT / "diagrams").glob("*.svg")):
        assert svg_problems(path.read_text(encoding="utf-8")) == [], path.name


def test_check_fails_on_an_unsafe_committed_svg(tmp_path, tools_cli) -> None:
    import shutil

    shutil.copytree(
        ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("vendor", "generated", "notebooks")
    )
    shutil.copytree(ROOT / "diagrams", tmp_path / "diagrams")
    victim = sorted((tmp_path / "diagrams").glob("*.svg"))[0]
    text = victim.read_text(encoding="utf-8")
    victim.write_text(text.replace("<svg ", '<svg onload="alert(1)" ', 1), encoding="utf-8")
    result = tools_cli(tmp_path, "diagrams", "--check")
    assert result.code == 1 and "event attribute onload=" in result.out and "1 unsafe" in result.out


MERMAID_LIKE = (
    '<svg id="diagram-k" width="814.5" xmlns="http://www.w3.org/2000/svg" class="flowchart" '
    'height="400" viewBox="0 0 814.5 400" role="graphics-document document" '
    'aria-roledescription="flowchart-v2" aria-labelledby="chart-title-diagram-k">'
    '<title id="chart-title-diagram-k">Open &amp; "closed" &lt;models&gt;</title><text>x</text></svg>'
)


def test_inlined_svg_is_one_image_named_by_its_title_and_sized_to_fit() -> None:
    inlined = diagrams.inline_svg('<?xml version="1.0"?>\n' + MERMAID_LIKE, "k")
    opening = inlined[: inlined.index(">") + 1]
    assert 'role="img"' in opening and "graphics-document" not in opening
    assert "aria-roledescription" not in opening and "aria-labelledby" not in opening
    assert 'aria-label="Open &amp; &quot;closed&quot; &lt;models&gt;"' in opening
    # at most its drawn width, at least the width at which 16 px labels are 11 px
    assert 'style="max-width: 814px; min-width: 560px"' in opening
    assert inlined.endswith("<text>x</text></svg>") and "<?xml" not in inlined


def test_a_diagram_without_a_title_is_an_error_naming_the_page(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture,
) -> None:
    root = _project(tmp_path)
    monkeypatch.setattr(diagrams, "REPO_ROOT", root)
    fences = diagrams.scan_fences(root)
    for number, fence in enumerate(fences):
        path = diagrams.svg_path(root, fence.key)
        path.parent.mkdir(exist_ok=True)
        title = "<title>A title</title>" if number else ""
        path.write_text(f'<svg id="diagram-{fence.key}">{title}<text>x</text></svg>\n', encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="mkdocs.plugins.diagrams"):
        _markdown().convert(PAGE)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1
    assert "docs/zh/page.md:3" in messages[0] and "accTitle:" in messages[0]
    status = diagrams.run(argparse.Namespace(root=root, check=True, force=False))
    out = capsys.readouterr().out
    assert status == 1 and "docs/zh/page.md:3: diagram" in out and "1 untitled" in out
