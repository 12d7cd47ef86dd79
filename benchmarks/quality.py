"""Quality per minute of CPU training: rnncli's validation nats at each whole minute of a wall-clock budget, against
a small transformer trained for the same time on the same machine, and the issue's targets checked.

    python benchmarks/quality.py [--minutes 3 10] [--corpus tinyshakespeare] [--preset NAME|none] [--json FILE]
                                 [-- extra rnncli train options]
    python benchmarks/quality.py --minutes 0.05 --preset none -- --hidden 8 --batch-size 4 --unroll 5 \\
        --eval-every 5 --log-every 5 --valid-size 2000  # smoke

For each budget, one process after the other (never at once): ``python -m rnncli train --corpus CORPUS --preset
PRESET --max-seconds (60 * minutes) --sample-every 0 --json`` in a temporary run directory, the options after
``--`` appended; then, when torch imports, ``benchmarks/transformer_baseline.py`` (nanoGPT's CPU "baby GPT", see
its docstring) for the same number of seconds. The preset is ``cpu-short`` for budgets under 5 minutes,
``cpu-long`` from 5 and ``cpu-30min`` from 20, unless ``--preset`` names one; ``--preset none`` passes no preset
(today's defaults).

rnncli's figures are its evaluations on the whole validation split (the last 10% of the corpus), read from the
run's metrics.jsonl, in nats (``valid_bpc * ln 2``): at each whole minute within the budget, the last evaluation
whose ``elapsed_s`` is at or before it (an evaluation without ``elapsed_s`` takes that of the log record of its
step, or of the nearest one before it), and the final one, after the budget. rnncli evaluates every
``--eval-every`` steps as its preset says; the benchmark does not change it. The transformer validates at each
whole minute and after the budget on 200 fixed windows of the same validation split (see its docstring).

Targets (the issue's): at 3 minutes at most 1.55 nats and at least 0.15 below the transformer; at 10 minutes at
most 1.43 and at least 0.12 below; at 30 minutes at most 1.38. ``--json FILE`` writes every figure, curves
included. Both sides are timed by the wall clock: run it on an otherwise idle machine (another process on the
cores slows either side by a factor that the figures do not show). Not a test: it prints figures.
"""

import argparse
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: minutes -> (most nats, least nats below the transformer or None)
TARGETS = {3.0: (1.55, 0.15), 10.0: (1.43, 0.12), 30.0: (1.38, None)}
SKIPPED = "transformer skipped: torch is not installed (pip install torch==2.13.0 to compare)"


def default_preset(minutes):
    return "cpu-short" if minutes < 5 else "cpu-long" if minutes < 20 else "cpu-30min"


def environment():
    """The subprocesses import rnncli from this checkout, wherever the benchmark is started from."""
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else "")}


def evaluations(records):
    """rnncli's evaluation records in order, each ``{"step", "elapsed_s", "valid_nats"}``."""
    found, last_log = [], {}
    for record in records:
        if "loss" in record and "elapsed_s" in record:
            last_log = record  # records come in step order: the nearest log at or before what follows
        if "valid_bpc" in record:
            found.append({"step": record["step"], "elapsed_s": record.get("elapsed_s", last_log.get("elapsed_s", 0.0)),
                          "valid_nats": record["valid_bpc"] * math.log(2)})
    return found


def per_minute(curve, minutes):
    """``{minute: the last evaluation at or before it, or None}`` for each whole minute within the budget."""
    return {m: next((e for e in reversed(curve) if e["elapsed_s"] <= 60 * m), None)
            for m in range(1, math.ceil(minutes))}


def train_rnncli(corpus, preset, minutes, extra):
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "rnncli", "train", "--corpus", corpus,
                   *(["--preset", preset] if preset != "none" else []), "--max-seconds", f"{60 * minutes:g}",
                   "--run-dir", f"{folder}/run", "--sample-every", "0", "--json", *extra]
        print("$ " + " ".join(command[2:]), flush=True)
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=environment(), cwd=ROOT)
        if done.returncode:
            raise SystemExit(f"rnncli train failed (exit {done.returncode}); its messages are above")
        summary = json.loads(done.stdout)
        records = [json.loads(line) for line in Path(folder, "run", "metrics.jsonl").read_text().splitlines()]
    curve = evaluations(records)
    final = {**curve[-1], "valid_nats": summary["valid_bpc"] * math.log(2)}  # the evaluation after the budget
    speeds = sorted(r["chars_per_sec"] for r in records if "chars_per_sec" in r)
    return {"preset": preset, "curve": curve, "minutes": per_minute(curve, minutes), "final": final,
            "valid_bpc": summary["valid_bpc"], "best_valid_bpc": summary.get("best_valid_bpc"),
            "steps_done": summary["steps_done"], "chars_per_sec": speeds[len(speeds) // 2] if speeds else None}


def train_transformer(corpus, minutes):
    command = [sys.executable, str(ROOT / "benchmarks" / "transformer_baseline.py"), "--corpus", corpus,
               "--seconds", f"{60 * minutes:g}", "--json"]
    print("$ python " + " ".join(command[1:]), flush=True)
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=environment(), cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"the transformer baseline failed (exit {done.returncode}); its messages are above")
    summary = json.loads(done.stdout)
    curve = summary["curve"]
    summary["minutes"] = {r["minute"]: r for r in curve if r["minute"] != "final"}
    summary["final"] = curve[-1]
    return summary


def cell(evaluation):
    return f"{evaluation['valid_nats']:.4f}  {evaluation['step']:>7,}" if evaluation else f"{'-':>6}  {'':>7}"


def print_minutes(minutes, rnncli, transformer):
    print(f"\n{minutes:g} min: validation nats (step) at each minute, rnncli preset {rnncli['preset']}")
    print(f"  {'minute':>6}  {'rnncli':>6}  {'step':>7}  {'transformer':>11}  {'step':>7}")
    rows = [(str(m), rnncli["minutes"][m], transformer and transformer["minutes"].get(m)) for m in rnncli["minutes"]]
    for label, ours, theirs in [*rows, ("final", rnncli["final"], transformer and transformer["final"])]:
        print(f"  {label:>6}  {cell(ours)}  {cell(theirs) if transformer else 'skipped':>20}")


def check_targets(results):
    """One ``{"minutes", "target", "value", "met"}`` per target; ``met`` None where it was not measured."""
    checks = []
    for minutes, (most, below) in TARGETS.items():
        result = next((r for r in results if r["minutes"] == minutes), None)
        ours = result and result["rnncli"]["final"]["valid_nats"]
        checks.append({"minutes": minutes, "target": f"rnncli <= {most} nats", "value": ours,
                       "met": None if ours is None else ours <= most})
        if below is not None:
            theirs = result and result["transformer"] and result["transformer"]["final"]["valid_nats"]
            gap = None if theirs is None or ours is None else theirs - ours
            checks.append({"minutes": minutes, "target": f"rnncli >= {below} nats below the transformer",
                           "value": gap, "met": None if gap is None else gap >= below})
    return checks


def print_summary(results, checks):
    print(f"\n{'budget':>8}  {'rnncli preset':<13}  {'rnncli nats (final)':>19}  {'transformer nats':>16}  "
          f"{'difference':>10}")
    for r in results:
        ours, theirs = r["rnncli"]["final"]["valid_nats"], r["transformer"] and r["transformer"]["final"]["valid_nats"]
        print(f"{r['minutes']:>4g} min  {r['rnncli']['preset']:<13}  {ours:>19.4f}  "
              + (f"{theirs:>16.4f}  {ours - theirs:>+10.4f}" if r["transformer"] else f"{'skipped':>16}  {'-':>10}"))
    print("\ntargets:")
    for check in checks:
        outcome = {True: "met", False: "missed", None: "not measured"}[check["met"]]
        if check["met"] is None and any(r["minutes"] == check["minutes"] for r in results):
            outcome += " (transformer skipped)"
        value = f" ({check['value']:.4f})" if check["value"] is not None else ""
        print(f"  {check['minutes']:>4g} min: {check['target']}: {outcome}{value}")


def main(argv):
    ours, extra = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[3.0, 10.0], help="training budgets")
    parser.add_argument("--corpus", default="tinyshakespeare")
    parser.add_argument("--preset", help="rnncli preset for every budget (none: no --preset; default: cpu-short "
                                         "under 5 minutes, cpu-long from 5, cpu-30min from 20)")
    parser.add_argument("--json", metavar="FILE", help="write every figure, curves included")
    args = parser.parse_args(ours)
    with_torch = importlib.util.find_spec("torch") is not None
    if not with_torch:
        print(SKIPPED, flush=True)
    results = []
    for minutes in args.minutes:
        rnncli = train_rnncli(args.corpus, args.preset or default_preset(minutes), minutes, extra)
        transformer = train_transformer(args.corpus, minutes) if with_torch else None
        print_minutes(minutes, rnncli, transformer)
        results.append({"minutes": minutes, "rnncli": rnncli, "transformer": transformer})
    checks = check_targets(results)
    print_summary(results, checks)
    if args.json:
        figures = {"corpus": args.corpus, "rnncli_options": extra, "results": results, "targets": checks,
                   "transformer": "run" if with_torch else SKIPPED}
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
