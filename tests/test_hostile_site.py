"""Hostile site configuration (issue 15): nav_translations keys that match no nav title."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from hostile import (
    REPO,
    assert_safe,
    snapshot,
)

from tools.programs import collect_programs

# ---------------------------------------------------------------------------------------------
# 7. nav_translations keys that match no nav title


def _i18n_hooks():
    import importlib.util

    spec = importlib.util.spec_from_file_location("i18n_hooks_under_test", REPO / "tools/site/i18n_hooks.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


MKDOCS_YML = """\
site_name: t
nav:
  - 首页: index.md
  - 五篇文章:
      - a.md
plugins:
  - i18n:
      languages:
        - locale: en
          nav_translations:
            首页: Home
            五遍文章: The five articles
"""


def test_nav_translation_key_that_matches_no_title_is_an_error(tmp_path) -> None:
    hooks = _i18n_hooks()
    path = tmp_path / "mkdocs.yml"
    path.write_text(MKDOCS_YML, encoding="utf-8")
    nav = [{"首页": "index.md"}, {"五篇文章": ["a.md"]}]
    problems = hooks.nav_translation_problems(
        path, nav, {"en": {"首页": "Home", "五遍文章": "The five articles"}}
    )
    assert problems == [
        f"{path.name}:12: nav_translations (en) key '五遍文章' matches no title in "
        "nav; the titles are: 首页, 五篇文章 (fix the key, or remove it if the "
        "section is gone)"
    ]
    assert hooks.nav_translation_problems(path, nav, {"en": {"首页": "Home"}}) == []


def test_nav_translation_check_runs_in_the_real_config(caplog) -> None:
    """The project's own mkdocs.yml has no stray key (the hook runs on every build)."""
    import yaml

    hooks = _i18n_hooks()

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
    Loader.add_constructor("!ENV", lambda *_: None)
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    [i18n] = [p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p]
    translations = {lang["locale"]: lang.get("nav_translations") or {} for lang in i18n["languages"]}
    assert hooks.nav_translation_problems(REPO / "mkdocs.yml", config["nav"], translations) == []


def test_nav_translation_typo_fails_a_strict_build(tmp_path) -> None:
    """The hook in a real (tiny) MkDocs build with mkdocs-static-i18n."""
    pytest.importorskip("mkdocs_static_i18n")
    for lang, title in (("zh", "首页"), ("en", "Home")):
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "index.md").write_text(f"# {title}\n", encoding="utf-8")
        (tmp_path / "docs" / lang / "a.md").write_text("# A\n", encoding="utf-8")
    config = MKDOCS_YML.replace(
        "plugins:\n  - i18n:\n", "plugins:\n  - i18n:\n      docs_structure: folder\n"
    )
    config = config.replace(
        "        - locale: en\n",
        "        - locale: zh\n          default: true\n"
        "          name: 中文\n        - locale: en\n          name: English\n",
    )
    config += f"hooks:\n  - {REPO / 'tools/site/i18n_hooks.py'}\n"
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    line = config.splitlines().index("            五遍文章: The five articles") + 1
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")]
    done = subprocess.run(mkdocs, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    assert f"mkdocs.yml:{line}: nav_translations (en) key '五遍文章' matches no title" in done.stderr
    assert_safe(done.stderr)
    (tmp_path / "mkdocs.yml").write_text(config.replace("五遍文章", "五篇文章"), encoding="utf-8")
    done = subprocess.run(mkdocs, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr


def test_real_pages_and_recordings_a_traversal_is_broken_not_embedded(tmp_path, tools_cli) -> None:
    """End to end on a copy of this repository's pages and recordings (issue 15, case 1)."""
    recording = REPO / "recordings/cpu/self-attention.json"
    if not recording.is_file():
        pytest.skip("no self-attention recording")
    root = tmp_path / "copy"
    for name in ("docs/zh", "docs/en", "recordings", "snippets", "sources", "data"):
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name,
                root / name,
                ignore=shutil.ignore_patterns("*.ipynb", "generated", "vendor", ".lock"),
            )
    data = json.loads((root / "recordings/cpu/self-attention.json").read_text())
    with_figures = next(cell for cell in data["cells"] if cell["figures"])
    with_figures["figures"] = ["../../../../../../etc/passwd"]
    (root / "recordings/cpu/self-attention.json").write_text(json.dumps(data))
    program = collect_programs(root)["self-attention"]
    before = snapshot(root)
    result = tools_cli(root, "check")
    assert result.code == 1
    assert f'{program.where}: cpu recording of "self-attention" is broken (' in result.out
    assert "run `python -m tools run self-attention --force`" in result.out
    assert_safe(result.out + result.err)
    assert tools_cli(root, "site-files", "-q").code == 0
    for path in (root / "docs").rglob("*"):
        if path.is_file():
            assert b"root:x:0:0" not in path.read_bytes() and b"cm9vdDp4OjA6" not in path.read_bytes()
    assert snapshot(root) == before
