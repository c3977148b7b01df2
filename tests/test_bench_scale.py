"""python -m tools bench-scale: the N-times site it measures has N times the programs, each copy
fresh (renamed ids, recordings and figures copied), in the nav, its en pages stamped."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.conftest import fake_recording
from tools.bench_scale import count_programs, scale_site
from tools.checks.parity_page import source_hash
from tools.recordings import figure_path, load_recording
from tools.site.i18n_hooks import recorded_source_hash

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

ZH = """# 页面

说明。

```python {exec="demo" timeout="60"}
print(1)
```

```python {exec="demo"}
print(2)
```
"""
EN_BODY = ZH.replace("# 页面", "# Page").replace("说明。", "Prose.")
CONFIG = """site_name: t
nav:
  - 首页: index.md
  - 文章:
      - a/p.md
  - 笔记本:
      - demo: notebooks/demo.ipynb
"""


def _site(root: Path) -> Path:
    (root / "docs/zh/a").mkdir(parents=True)
    (root / "docs/en/a").mkdir(parents=True)
    (root / "docs/zh/a/p.md").write_text(ZH, encoding="utf-8")
    stamp = source_hash(ZH.encode("utf-8"))
    (root / "docs/en/a/p.md").write_text(f"---\nsource_hash: {stamp}\n---\n\n{EN_BODY}", encoding="utf-8")
    (root / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    fake_recording(root, "demo", ["a\n", "b\n"], figures={1: [PNG]}, page="docs/zh/a/p.md")
    return root


def test_programs_are_copied_fresh_into_the_nav(tmp_path: Path) -> None:
    site = _site(tmp_path)
    added = scale_site(site, 3)
    assert added == {"pages": 4, "programs": 2} and count_programs(site) == 3
    for k in (2, 3):
        zh = (site / f"docs/zh/a/p-x{k}.md").read_text(encoding="utf-8")
        assert zh.count(f'exec="demo-x{k}"') == 2 and 'exec="demo"' not in zh
        en = (site / f"docs/en/a/p-x{k}.md").read_text(encoding="utf-8")
        assert recorded_source_hash(en) == source_hash(zh.encode("utf-8"))  # stamped as its original
        recording = load_recording(site, f"demo-x{k}", "cpu")
        assert recording is not None and recording.id == f"demo-x{k}"
        [figure] = recording.cells[0].figures
        assert figure_path(site, f"demo-x{k}", "cpu", figure).read_bytes() == PNG
    nav = (site / "mkdocs.yml").read_text(encoding="utf-8")
    assert "      - a/p.md\n      - a/p-x2.md\n      - a/p-x3.md\n" in nav
    assert "      - demo-x2: notebooks/demo-x2.ipynb\n      - demo-x3: notebooks/demo-x3.ipynb\n" in nav


def test_the_prose_variant_has_the_pages_without_their_programs(tmp_path: Path) -> None:
    site = _site(tmp_path)
    assert scale_site(site, 3, programs=False) == {"pages": 4, "programs": 0}
    copy = (site / "docs/zh/a/p-x2.md").read_text(encoding="utf-8")
    assert "exec=" not in copy and copy.count("```python\nprint(") == 2
    assert count_programs(site) == 1 and not (site / "recordings/cpu/demo-x2.json").exists()
    assert "notebooks/demo-x2.ipynb" not in (site / "mkdocs.yml").read_text(encoding="utf-8")
