"""Write staging/<id>/frag-<k>.{zh,en}.md from staging/<id>/program.py and the prose below.

Usage: python staging/make_fragments.py [OUTPUT_DIR]
OUTPUT_DIR (optional) holds <id>.txt files with each program's printed output; every quoted number
``{{q:TEXT}}`` is checked against it. Quotes become <span class="snippet-quote" data-snippet="ID">TEXT</span>.
"""
import pathlib
import re
import sys

STAGING = pathlib.Path(__file__).parent
TIMEOUTS = {"gpt2-pretrain-finetune": 300, "bert-classification": 300}


def cells(snippet_id):
    text = (STAGING / snippet_id / "program.py").read_text(encoding="utf-8")
    return [c.strip("\n") for c in re.split(r"^# %%\n", text, flags=re.M)]


def fence(snippet_id, code, first):
    attrs = f' timeout="{TIMEOUTS[snippet_id]}"' if first and snippet_id in TIMEOUTS else ""
    return f'```python exec="{snippet_id}"{attrs}\n{code}\n```'


# Each program: list of fragments; a fragment is a list of items: int (cell index) or (zh, en) prose.
PROGRAMS = {}

from prose import PROGRAMS  # noqa: E402  (prose.py sits next to this file)


def main():
    outputs = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else None
    problems = []
    for snippet_id, fragments in PROGRAMS.items():
        code = cells(snippet_id)
        used = [i for frag in fragments for i in frag if isinstance(i, int)]
        assert used == list(range(len(code))), (snippet_id, used, len(code))
        printed = (outputs / f"{snippet_id}.txt").read_text(encoding="utf-8") if outputs else None
        for k, frag in enumerate(fragments, 1):
            for lang, li in (("zh", 0), ("en", 1)):
                parts = []
                for item in frag:
                    if isinstance(item, int):
                        parts.append(fence(snippet_id, code[item], item == 0))
                    else:
                        prose = item[li].strip()

                        def quote(m):
                            if printed is not None and m.group(1) not in printed:
                                problems.append(f"{snippet_id} frag {k} {lang}: {m.group(1)!r} not in output")
                            return f'<span class="snippet-quote" data-snippet="{snippet_id}">{m.group(1)}</span>'

                        parts.append(re.sub(r"\{\{q:(.+?)\}\}", quote, prose))
                (STAGING / snippet_id / f"frag-{k}.{lang}.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    print("\n".join(problems) or "all quotes found")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.path.insert(0, str(STAGING))
    sys.exit(main())
