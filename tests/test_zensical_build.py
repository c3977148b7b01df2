"""The same docs/ built with Zensical (`python -m tools build-zensical`): every page in both
languages, every usable recording's output per profile, provenance, downloads, the report."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools.programs import collect_programs
from tools.recordings import PROFILES, recording_state
from tools.site.zensical import SITE_DIR, derived_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def zensical_site() -> Path:
    done = subprocess.run(
        [sys.executable, "-m", "tools", "build-zensical", "--strict"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return ROOT / SITE_DIR


def _page_html(site: Path, lang: str, rel: str) -> Path:
    stem = rel[: -len(".md")]
    stem = stem[: -len("index")] if stem == "index" or stem.endswith("/index") else stem + "/"
    return (site if lang == "zh" else site / lang) / stem / "index.html"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_is_built_without_raw_exec_fences(zensical_site: Path, lang: str) -> None:
    pages = sorted(
        p.relative_to(ROOT / "docs" / lang).as_posix() for p in (ROOT / "docs" / lang).rglob("*.md")
    )
    assert len(pages) > 40
    for rel in pages:
        html = _page_html(zensical_site, lang, rel)
        assert html.is_file(), f"{html} missing for docs/{lang}/{rel}"
        text = html.read_text(encoding="utf-8")
        assert not re.search(r"```|\{exec=|exec=&quot;", text), f"raw fence text in {html}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_usable_output_provenance_and_download_is_there(zensical_site: Path, lang: str) -> None:
    for snippet_id, program in collect_programs(ROOT).items():
        rel = program.page.split("/", 2)[2]
        html_path = _page_html(zensical_site, lang, rel)
        text = html_path.read_text(encoding="utf-8")
        for profile in PROFILES:
            state = recording_state(ROOT, program, snippet_id, profile)
            marker = f'data-snippet="{snippet_id}" data-profile="{profile}"'
            assert (marker in text) == state.usable, f"{snippet_id} {profile} on {html_path}"
        assert 'class="snippet-provenance"' in text
        hrefs = re.findall(
            rf'<div class="snippet-downloads" data-snippet="{snippet_id}">(.*?)</div>', text, re.S
        )
        assert hrefs, f"no downloads for {snippet_id} on {html_path}"
        for href in re.findall(r'href="([^"]+)"', hrefs[0]):
            if href.endswith((".py", ".ipynb")):
                assert (html_path.parent / href).resolve().is_file(), f"{href} from {html_path}"
        for src in re.findall(r'<img src="([^"]*assets/generated/[^"]+)"', text):
            assert (html_path.parent / src).resolve().is_file(), f"{src} from {html_path}"


def test_report_table_lists_every_snippet(zensical_site: Path) -> None:
    programs = collect_programs(ROOT)
    for lang in ("zh", "en"):
        text = _page_html(zensical_site, lang, "report.md").read_text(encoding="utf-8")
        for snippet_id in programs:
            assert f'<code class="snippet-id">{snippet_id}</code>' in text, (lang, snippet_id)


def test_derived_config_drops_overrides_and_moves_the_site() -> None:
    config = derived_config((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert "custom_dir:" not in config and "notebooks/gpt2-quickstart.ipynb" not in config
    assert "link_base: source" in config
    assert config.rstrip().endswith(f"site_dir: {SITE_DIR}")


def test_known_limit_no_notebook_pages_but_notebook_downloads(zensical_site: Path) -> None:
    """Zensical ignores mkdocs-jupyter (README, "What the served Zensical cannot do yet"): when
    this fails because notebook pages appear, update the README and the engine tests."""
    assert not list(zensical_site.glob("notebooks/*/index.html"))
    assert list((zensical_site / "assets" / "generated" / "downloads").glob("*.zh.ipynb"))
    assert list((zensical_site / "en" / "assets" / "generated" / "downloads").glob("*.en.ipynb"))
