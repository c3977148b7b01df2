"""Build a tiny bilingual MkDocs site with the snippet hook and check the HTML it produces.

The site is built in this process, as mkdocs-static-i18n's own tests do, from a committed fixture
tree (tests/fixtures/minisite) copied into a temporary folder. It has the production layout
(docs/zh + docs/en, mkdocs-static-i18n folder structure, mkdocs-jupyter,
superfences/tabbed/md_in_html), one two-cell program "demo" with a CPU and a GPU recording and a
figure, the execution report page and generated notebooks. Each build takes ~0.5 s.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import fake_recording

REPO = Path(__file__).resolve().parent.parent
HOOK = REPO / "tools" / "site" / "mkdocs_hooks.py"
# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minisite"


def write_recording(root: Path, profile: str, device: str) -> None:
    fake_recording(
        root,
        "demo",
        ["<script>alert(1)</script>\n", ""],
        figures={2: [PNG]},
        profile=profile,
        page="docs/zh/demo.md",
        device=device,
    )


def make_site(root: Path, *, cuda: bool = True) -> Path:
    """The committed fixture tree (tests/fixtures/minisite), its stylesheet and its recordings."""
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    css = root / "docs" / "assets" / "stylesheets" / "snippets.css"
    css.parent.mkdir(parents=True)
    css.write_bytes((REPO / "docs" / "assets" / "stylesheets" / "snippets.css").read_bytes())
    write_recording(root, "cpu", "CPU: Fixture (2 threads)")
    if cuda:
        write_recording(root, "cuda", "NVIDIA H200")
    return root  # downloads and notebook pages: written by the build (tools.site.files)


@dataclass(frozen=True)
class Built:
    returncode: int  # 0, or 1 when the (strict) build aborted
    stderr: str  # what MkDocs and the hooks logged, one message a line


def build(root: Path, *, strict: bool = True) -> Built:
    """`mkdocs build [--strict]` of the site at `root`, in this process, as a fresh `mkdocs
    build` (the Markdown extension's per-repository cache starts empty) with the MkDocs hook."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    from tools.site import markdown_ext

    markdown_ext._sites.pop(root.resolve(), None)
    notebook_pages = markdown_ext.NOTEBOOK_PAGES  # set by the hook's on_config: put back after
    messages: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        with contextlib.chdir(root):
            config = load_config(
                str(root / "mkdocs.yml"), site_dir=str(root / "site"), strict=strict, hooks=[str(HOOK)]
            )
            mkdocs_build(config)
        code = 0
    except Abort as abort:
        messages.append(str(abort))
        code = 1
    finally:
        logger.removeHandler(handler)
        markdown_ext.NOTEBOOK_PAGES = notebook_pages
    return Built(code, "\n".join(messages))


def html(root: Path, path: str) -> str:
    return (root / "site" / path).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("site"))
    result = build(root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.parametrize("page", ["demo/index.html", "en/demo/index.html"])
def test_outputs_are_embedded_escaped_with_figures_in_both_languages(built_site: Path, page: str) -> None:
    text = html(built_site, page)
    assert 'class="snippet-output"' in text and 'data-snippet="demo"' in text
    assert 'data-profile="cpu"' in text and 'data-profile="cuda"' in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>alert(1)</script>" not in text
    assert 'exec="demo"' not in text
    images = re.findall(r'<img src="([^"]+cell2-fig1-[0-9a-f]{8}\.png)"', text)
    assert images, "figure not embedded"
    page_dir = (built_site / "site" / page).parent
    for src in images:
        assert (page_dir / src).resolve().is_file(), f"{src} does not resolve from {page}"


def test_gpu_output_sits_in_a_tab_beside_cpu(built_site: Path) -> None:
    text = html(built_site, "en/demo/index.html")
    tabs = re.findall(
        r'<div class="tabbed-set tabbed-alternate snippet-tabs".*?<div class="tabbed-labels">(.*?)</div>',
        text,
    )
    assert tabs and all(
        ">CPU</label>" in labels and ">GPU · NVIDIA H200</label>" in labels for labels in tabs
    )
    assert "Recorded on NVIDIA H200, 2026-11-23" in text


def test_built_pages_show_the_provenance_line(built_site: Path) -> None:
    assert "记录于 CPU: Fixture (2 threads)，2026-11-23" in html(built_site, "demo/index.html")
    assert "Recorded on CPU: Fixture (2 threads), 2026-11-23" in html(built_site, "en/demo/index.html")


@pytest.mark.parametrize(("page", "prefix"), [("demo/index.html", ""), ("en/demo/index.html", "en/")])
def test_download_links_resolve(built_site: Path, page: str, prefix: str) -> None:
    text = html(built_site, page)
    links = re.findall(r'<div class="snippet-downloads".*?</div>', text, re.S)
    hrefs = re.findall(r'href="([^"]+)"', links[0])
    page_dir = (built_site / "site" / page).parent
    targets = [(page_dir / href / ("index.html" if href.endswith("/") else "")).resolve() for href in hrefs]
    lang = prefix.rstrip("/") or "zh"
    assert [t.name for t in targets] == ["demo.py", f"demo.{lang}.ipynb", "index.html"]
    assert all(t.is_file() for t in targets), targets
    assert targets[1] == (built_site / "site/assets/generated/downloads" / f"demo.{lang}.ipynb").resolve()
    assert targets[2] == (built_site / "site" / prefix / "notebooks/demo/index.html").resolve()


@pytest.mark.parametrize(
    ("page", "title"),
    [("notebooks/demo/index.html", "演示页面"), ("en/notebooks/demo/index.html", "Demo page")],
)
def test_notebook_pages_render_in_both_languages(built_site: Path, page: str, title: str) -> None:
    text = html(built_site, page)
    assert "jp-CodeCell" in text and "jp-MarkdownCell" in text
    assert '"cell_type"' not in text
    assert title in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    # JupyterLab's stylesheet is shared between notebook pages instead of inlined in each.
    assert len(text) < 100_000
    sheets = re.findall(
        r'<link rel="stylesheet" href="([^"]*assets/notebooks/jupyter-[0-9a-f]+\.css)">', text
    )
    assert len(sheets) == 1 and ((built_site / "site" / page).parent / sheets[0]).resolve().is_file()


@pytest.mark.parametrize(
    ("page", "fresh"), [("report/index.html", "最新"), ("en/report/index.html", "fresh")]
)
def test_report_lists_each_recording_with_a_link(built_site: Path, page: str, fresh: str) -> None:
    text = html(built_site, page)
    rows = re.findall(r"<tr>.*?</tr>", text, re.S)[1:]
    assert len(rows) == 2  # CPU + GPU
    assert all('href="../demo/#snippet-demo"' in row and f">{fresh}</span>" in row for row in rows)
    assert "NVIDIA H200" in rows[1]


def test_missing_recording_fails_strict_build(tmp_path: Path) -> None:
    root = make_site(tmp_path, cuda=False)
    (root / "recordings" / "cpu" / "demo.json").unlink()
    result = build(root)
    assert result.returncode != 0
    assert "docs/zh/demo.md:9: snippet 'demo'" in result.stderr
    assert "docs/en/demo.md:9: snippet 'demo'" in result.stderr
    assert "python -m tools run demo --force" in result.stderr


def test_stale_recording_fails_strict_build_and_warns_on_the_page(tmp_path: Path) -> None:
    root = make_site(tmp_path, cuda=False)
    for lang in ("zh", "en"):
        page = root / "docs" / lang / "demo.md"
        page.write_text(page.read_text(encoding="utf-8").replace("x = 1", "x = 2"), encoding="utf-8")
    result = build(root)
    assert result.returncode != 0
    assert "docs/zh/demo.md:9: snippet 'demo': stale cpu recording (code changed)" in result.stderr
    assert "docs/en/demo.md:9: snippet 'demo': stale cpu recording (code changed)" in result.stderr
    assert "python -m tools run demo --force" in result.stderr
    relaxed = build(root, strict=False)
    assert relaxed.returncode == 0, relaxed.stderr
    text = html(root, "en/demo/index.html")
    assert "Recorded output is stale" in text and 'class="snippet-output"' not in text


def test_zh_and_en_programs_that_differ_fail_the_strict_build(tmp_path: Path) -> None:
    root = make_site(tmp_path, cuda=False)
    page = root / "docs" / "en" / "demo.md"
    page.write_text(page.read_text(encoding="utf-8").replace("x = 1", "x = 3"), encoding="utf-8")
    result = build(root)
    assert result.returncode != 0
    assert 'docs/en/demo.md:16: snippet "demo" differs from docs/zh/demo.md:16' in result.stderr


def test_generated_files_are_not_rewritten_by_a_second_build(built_site: Path) -> None:
    generated = built_site / "docs" / "assets" / "generated" / "downloads" / "demo.zh.ipynb"
    before = generated.stat().st_mtime_ns
    assert build(built_site).returncode == 0
    assert generated.stat().st_mtime_ns == before  # mkdocs serve does not rebuild in a loop


def test_a_symbolic_link_under_docs_is_not_published(tmp_path: Path) -> None:
    root = make_site(tmp_path, cuda=False)
    secret = tmp_path / "outside.txt"
    secret.write_text("secret outside the docs\n", encoding="utf-8")
    (root / "docs" / "assets" / "leak.txt").symlink_to(secret)
    result = build(root)
    assert result.returncode != 0
    assert "docs/assets/leak.txt: is a symbolic link" in result.stderr
    assert not (root / "site" / "assets" / "leak.txt").exists()


def test_a_build_computes_the_program_states_once_for_both_languages(tmp_path: Path, monkeypatch) -> None:
    """mkdocs-static-i18n builds the pages once per language, and the hook writes the site files
    first: all of them share one computation of every program's state per profile."""
    import tools.recordings
    from tools.site import markdown_ext, notebooks

    root = make_site(tmp_path)
    computed: list[tuple[str, str]] = []
    real = tools.recordings.recording_state

    def counting(root: Path, program: object, snippet_id: str, profile: str, **kwargs: object) -> object:
        computed.append((snippet_id, profile))
        return real(root, program, snippet_id, profile, **kwargs)

    for module in (tools.recordings, markdown_ext, notebooks):
        monkeypatch.setattr(module, "recording_state", counting)
    assert build(root).returncode == 0
    assert 'data-profile="cuda"' in html(root, "en/demo/index.html")  # both languages were built
    assert 'data-profile="cuda"' in html(root, "demo/index.html")
    assert (root / "site/notebooks/demo/index.html").is_file()  # and the site files written
    assert sorted(computed) == [("demo", "cpu"), ("demo", "cuda")]
