#!/usr/bin/env bash
# Record the cuda profile of every snippet on a GPU machine, in one bounded run.
#
#   .ci/gpu-record.sh            probe, then `python -m tools run --profile cuda --force`
#   .ci/gpu-record.sh --dry-run  probe and print what would run (works on a CPU machine)
#
# Made for the lent H200 (see CONTRIBUTING, "Recording on a GPU"): Python 3.12 with torch and
# transformers but no MkDocs, no Jupyter packages and no registry access, the repository copied
# as a working tree (no .git). Environment:
#   OUT        folder that comes back from the device (default: build/gpu-record); receives
#              the cuda recordings (OUT/recordings/cuda/), probe.txt, run.log and
#              profile-gpt2-124m.txt
#   BUDGET_S   wall-clock bound for all the snippets together (default 480 s); the whole script
#              stays within BUDGET_S + 60 s (+ 45 s of kill grace at worst)
#   PROFILE_S  seconds for profiling gpt2-124m afterwards, if that much is left (default 90; 0: skip)
#   PYTHON     interpreter (default: the first of python3, python, python3.12 with torch)
#   IDS        snippet ids to run (default: all, gpt2-124m first), e.g. to rerun the failed ones
#   RUN_PROFILE cuda (default); cpu only to test this script on a CPU machine, in a copy of the
#              repository (it re-records that copy's cpu recordings)
#   WHEELS     optional folder of wheels installed with --no-index into build/gpu-site when
#              the probe finds a module missing (carry it with the device tool)
set -uo pipefail
cd "$(dirname "$0")/.."

DRY=0
[ "${1:-}" = "--dry-run" ] && DRY=1
if [ -z "${PYTHON:-}" ]; then  # the first interpreter on PATH that has torch
  for candidate in python3 python python3.12; do
    if "$candidate" -c "import torch" 2>/dev/null; then PYTHON=$candidate; break; fi
  done
  PYTHON=${PYTHON:-python3}
fi
OUT=${OUT:-build/gpu-record}
BUDGET_S=${BUDGET_S:-480}
RUN_PROFILE=${RUN_PROFILE:-cuda}
FIRST=gpt2-124m  # the longest and most important run goes first, inside the budget
mkdir -p "$OUT"
started=$(date +%s)

# 1. Probe: versions, GPU, and every module the snippets import that this Python lacks.
"$PYTHON" - >"$OUT/probe.txt" 2>&1 <<'EOF'
import ast, importlib.util, platform, subprocess, sys
from pathlib import Path
print("python", platform.python_version(), sys.executable)
for name in ("torch", "transformers", "tokenizers", "numpy", "matplotlib", "sklearn", "nbformat",
             "yaml", "mkdocs"):
    try:
        module = __import__(name)
        print(f"{name:13s}{getattr(module, '__version__', '?')}")
    except Exception as error:  # noqa: BLE001 - a probe reports, never fails
        print(f"{name:13s}MISSING ({type(error).__name__}: {error})")
try:
    import torch
    print("cuda", torch.version.cuda, "available", torch.cuda.is_available())
    if torch.cuda.is_available():
        print("gpu", torch.cuda.get_device_name(), f"{torch.cuda.mem_get_info()[1] / 2**30:.0f} GiB")
except Exception as error:  # noqa: BLE001
    print("torch probe failed:", error)
missing: dict[str, set[str]] = {}
for script in sorted(Path("snippets").glob("*.py")):
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
        for name in names:
            top = name.split(".")[0]
            if importlib.util.find_spec(top) is None:
                missing.setdefault(top, set()).add(script.stem)
print("snippet modules missing:", "; ".join(f"{top} ({', '.join(sorted(ids))})"
                                            for top, ids in sorted(missing.items())) or "none")
try:  # can `python -m tools` build its command line here? (it imports every subcommand)
    import tools.__main__
    tools.__main__.build_parser()
    print("tools CLI: ok")
except ImportError as error:
    print(f"tools CLI: cannot import ({error}); using tools.execution.cli directly")
print(subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                      "--format=csv,noheader"], capture_output=True, text=True).stdout.strip()
      if Path("/usr/bin/nvidia-smi").exists() else "nvidia-smi: not found")
EOF
cat "$OUT/probe.txt"

if [ -n "${WHEELS:-}" ] && ! grep -q '^snippet modules missing: none$' "$OUT/probe.txt"; then
  echo "installing from $WHEELS (no index) into build/gpu-site"
  "$PYTHON" -m pip install --quiet --no-index --find-links "$WHEELS" --target build/gpu-site \
    "$WHEELS"/*.whl && export PYTHONPATH="$PWD/build/gpu-site${PYTHONPATH:+:$PYTHONPATH}"
fi

# 2. The snippet ids, the long one first; and how to call `tools run` on this Python.
ids=$("$PYTHON" -c "
from pathlib import Path
from tools.programs import scan_all
programs, errors = scan_all(Path('.').resolve())
ids = sorted(programs, key=lambda i: (i != '$FIRST', i))
print(' '.join(ids))
") || { echo "cannot list the snippets"; exit 1; }
ids=${IDS:-$ids}
if grep -q '^tools CLI: ok' "$OUT/probe.txt"; then
  run_tools=("$PYTHON" -m tools run)
  how="python -m tools run"
else
  how="tools.execution.cli (python -m tools cannot import here)"
  # `python -m tools` imports every subcommand (site-files needs nbformat, codeblocks PyYAML);
  # `run` itself needs only the standard library, so call its module directly.
  run_tools=("$PYTHON" -c '
import argparse, sys
from pathlib import Path
from tools.execution import cli as cli_run
parser = argparse.ArgumentParser(prog="tools run")
parser.add_argument("--root", type=Path, default=Path.cwd())
cli_run.add_arguments(parser)
args = parser.parse_args()
args.root = args.root.resolve()
try:
    sys.exit(cli_run.run(args))
except KeyboardInterrupt:
    print("interrupted; previous recordings are kept", file=sys.stderr)
    sys.exit(130)' )
fi
rec_dir=$("$PYTHON" -c "from pathlib import Path; from tools.recordings import recordings_dir
print(recordings_dir(Path('.'), '$RUN_PROFILE'))")
echo "snippets: $ids"
echo "command: $how --profile $RUN_PROFILE --force --threads 8 $ids"
"${run_tools[@]}" --help >/dev/null || { echo "the run command does not start"; exit 1; }
echo "recordings: $rec_dir -> $OUT/recordings/$RUN_PROFILE/ (budget ${BUDGET_S} s)"
[ "$DRY" = 1 ] && { echo "dry run: nothing executed"; exit 0; }

# 3. Record, bounded: SIGINT first (the runner kills its snippet and keeps what is recorded).
# shellcheck disable=SC2086 # the ids are separate words
# --foreground: the signal goes to the tools process once, not to its whole process group.
timeout --foreground --signal=INT --kill-after=30 "$BUDGET_S" \
  "${run_tools[@]}" --profile "$RUN_PROFILE" --force --threads 8 $ids 2>&1 | tee "$OUT/run.log"
status=${PIPESTATUS[0]}

# 4. Bring the recordings back (whatever finished, even after a timeout or a failure).
mkdir -p "$OUT/recordings"
[ -d "$rec_dir" ] && cp -r "$rec_dir" "$OUT/recordings/"
echo "status $status after $(( $(date +%s) - started )) s; recordings:"
ls -l "$OUT/recordings/$RUN_PROFILE" 2>/dev/null || echo "(none)"

# 5. With the time left (PROFILE_S, default 90 s, 0 = skip): profile a few compiled training
# steps of gpt2-124m, to see what bounds its MFU (top kernels by GPU time).
left=$(( BUDGET_S + 60 - $(date +%s) + started ))
profile_s=${PROFILE_S:-90}
[ "$left" -lt "$profile_s" ] && profile_s=$left
if [ "$profile_s" -ge 45 ] && [ -f snippets/gpt2-124m.py ]; then
  echo "profiling gpt2-124m (at most ${profile_s} s) -> $OUT/profile-gpt2-124m.txt"
  timeout --foreground --signal=INT --kill-after=15 "$profile_s" "$PYTHON" - \
    >"$OUT/profile-gpt2-124m.txt" 2>&1 <<'EOF'
import time
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

source = Path("snippets/gpt2-124m.py").read_text(encoding="utf-8")
setup = source.split("\n# %% [4]")[0]  # cells 1-3: config, data, model, optimizer, compile
ns = {"__name__": "__main__"}
exec(compile(setup, "snippets/gpt2-124m.py", "exec"), ns)
model, optimizer, get_batch, autocast = (ns[k] for k in ("model", "optimizer", "get_batch",
                                                            "autocast"))
batch_size, cuda = ns["batch_size"], torch.cuda.is_available()


def step():
    x = get_batch(batch_size)
    with autocast:
        loss = model(input_ids=x, labels=x).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


for _ in range(12):  # compilation and warm-up
    step()
if cuda:
    torch.cuda.synchronize()
start = time.perf_counter()
steps = 10
for _ in range(steps):
    step()
if cuda:
    torch.cuda.synchronize()
print(f"{(time.perf_counter() - start) / steps * 1e3:.1f} ms per step at batch {batch_size}")
activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
with profile(activities=activities) as prof:
    for _ in range(3):
        step()
    if cuda:
        torch.cuda.synchronize()
sort_by = "self_cuda_time_total" if cuda else "self_cpu_time_total"
print(prof.key_averages().table(sort_by=sort_by, row_limit=40, max_name_column_width=90))
if cuda:
    print(torch.cuda.memory_summary(abbreviated=True))
EOF
  echo "profile status $?"
fi
exit "$status"
