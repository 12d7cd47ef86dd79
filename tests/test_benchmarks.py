"""Every script in benchmarks/ runs from a fresh clone at its smoke setting (the one its docstring gives) and
prints its figures; each check compares them with what is known independently where something is."""

import importlib.util
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NUMBER = r"[\d,]+(?:\.\d+)?"

pytestmark = pytest.mark.slow


def run_benchmark(script, *args, cwd=ROOT):
    """The stdout of ``python benchmarks/SCRIPT ARGS``, run as its docstring says (``PYTHONPATH=.``)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": "-1"}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *map(str, args)], cwd=cwd,
                          env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def number(text):
    return float(text.replace(",", ""))


def test_gru_gates_times_both_arrangements_and_the_fused_one_really_runs():
    output = run_benchmark("gru_gates.py", "--hidden", 8, "--batch-size", 4, "--unroll", 5, "--rounds", 1,
                           "--steps", 2)
    arms = {name: (number(rate), number(loss), int(ops)) for name, rate, loss, ops in re.findall(
        rf"^  (per-gate|fused) +median +({NUMBER}) +range {NUMBER}-{NUMBER} +first loss ({NUMBER}) +MatMul ops (\d+)$",
        output, re.MULTILINE)}
    assert set(arms) == {"per-gate", "fused"}, output
    (per_gate_rate, per_gate_loss, per_gate_ops), (fused_rate, fused_loss, fused_ops) = arms["per-gate"], arms["fused"]
    assert per_gate_rate > 0 and fused_rate > 0
    assert fused_loss == per_gate_loss  # the same weights, arranged differently
    assert per_gate_loss == pytest.approx(math.log(65), rel=0.05)  # untrained: near uniform over 65 symbols
    # forward and backward over 5 steps: the fused cell does h R_rz (1 matmul) where the GRU does h R_r, h R_z (2)
    assert per_gate_ops - fused_ops >= 2 * 5, output
    assert re.search(rf"fused / per-gate, round by round: median {NUMBER}x, range {NUMBER}-{NUMBER}x", output)


def test_cells_prints_each_cells_parameters_bpc_and_speed():
    output = run_benchmark("cells.py", "--cells", "lstm", "gru", "--steps", 3, "--hidden", 8, "--unroll", 5,
                           "--valid-size", 500)
    rows = {name: (number(parameters), number(bpc), number(speed)) for name, parameters, bpc, speed in re.findall(
        rf"^  (\w+): ({NUMBER}) parameters, ({NUMBER}) bpc, ({NUMBER}) characters/s$", output, re.MULTILINE)}
    assert set(rows) == {"lstm", "gru"}, output
    softmax = 8 * 65 + 65  # tinyshakespeare's 65 characters, one-hot in
    assert rows["lstm"][0] == 4 * (65 * 8 + 8 * 8 + 8) + 3 * 8 + softmax  # four blocks and three peepholes
    assert rows["gru"][0] == 3 * (65 * 8 + 8 * 8 + 8) + softmax
    for _, bpc, speed in rows.values():
        assert 0 < bpc < 1.2 * math.log2(65) and speed > 0  # three steps from random: about uniform


def test_seed_tinyshakespeare_trains_the_packaged_corpus_and_prints_validation_figures():
    output = run_benchmark("seed_tinyshakespeare.py", "--steps", 20, "--log-every", 5, "--eval-every", 10,
                           "--valid-size", 2000)
    perplexity, bpc, speed, windows = re.search(
        rf"validation perplexity ({NUMBER}), bpc ({NUMBER}), training chars/s median ({NUMBER}) over (\d+) log "
        "windows", output).groups()
    assert number(bpc) == pytest.approx(math.log2(number(perplexity)), abs=2e-3)
    assert number(speed) > 0 and int(windows) == 4  # logs at steps 5, 10, 15 and 19; step 0's holds tracing
    steps = [int(step) for step in re.findall(r"^  step +(\d+): validation perplexity", output, re.MULTILINE)]
    assert steps == [0, 10, 19]


def test_stack_prints_every_variant_in_its_table():
    output = run_benchmark("stack.py", "--steps", 3, "--hidden", 8, "--unroll", 5, "--valid-size", 500)
    rows = dict(re.findall(rf"│ (2-layer LSTM|\+ [\w .]+?) +│ +({NUMBER}) │ +{NUMBER} │", output))
    assert list(rows) == ["2-layer LSTM", "+ dropout 0.25", "+ residual", "+ norm stabiliser 50", "+ all three"]
    assert all(0 < number(bpc) < 1.2 * math.log2(65) for bpc in rows.values())


def test_diagonal_times_every_scan_variant():
    output = run_benchmark("diagonal.py", "--sizes", 4, "--rounds", 1, "--round-seconds", 0.01,
                           "--unrolled-up-to", 4, "--xla-wavefront-up-to", 0)
    rows = re.findall(rf"^ +4x4 (\w+) +{NUMBER} +({NUMBER}) \(", output, re.MULTILINE)
    assert [name for name, _ in rows] == ["wavefront", "cellwise_xla", "cellwise", "cellwise_unrolled"], output
    assert all(number(ms) > 0 for _, ms in rows)


def test_load_text8_like_writes_then_loads_and_splits_a_text8_like_corpus(tmp_path):
    arguments = ["--folder", tmp_path, "--batch", "--bytes", 200_000]
    assert "run again to measure in a fresh process" in run_benchmark("load_text8_like.py", *arguments)
    assert (tmp_path / "text8_like_200000.txt").stat().st_size == 200_000
    output = run_benchmark("load_text8_like.py", *arguments)
    assert "char level: 200,000 characters -> 180,000 / 10,000 / 10,000 ids (uint8" in output
    assert "vocabulary 27" in output  # a-z and the space
    assert re.search(r"batched in [\d.]+ s \(56 windows of 64 x 51\)", output)  # 180,000 // (64 * 50)
    assert re.search(rf"load time {NUMBER} s; peak RSS {NUMBER} MiB before", output)


def test_profile_step_lists_the_time_by_op_type():
    output = run_benchmark("profile_step.py", "--config", "tiny", "--steps", 1)
    assert "tiny (hidden 8, batch 4, unroll 5), rnncli lstm, static unroll" in output
    assert re.search(rf"wall time {NUMBER} ms per step", output)
    assert re.search(rf"^\S*MatMul\S* +{NUMBER} +\d+% +{NUMBER}", output, re.MULTILINE), output


def test_speed_times_every_implementation_at_the_tiny_configuration():
    output = run_benchmark("speed.py", "--configs", "tiny", "--sections", "training", "--rounds", 1,
                           "--seconds", 0.05)
    rows = re.findall(rf"^  (\S+(?: \S+)?) +({NUMBER}) +{NUMBER}-{NUMBER} ", output, re.MULTILINE)
    names = [name for name, _ in rows]
    for expected in ["lstm static", "lstm window", "lstm while", "lstm while+xla", "rnncli default", "keras LSTM",
                     "BlockLSTM"]:
        assert expected in names, output
    assert all(number(speed) > 0 for _, speed in rows)
    assert re.search(r"rnncli's default \(--unroll-mode auto, --steps-per-call 0\) at 8 units runs 'lstm static', "
                     r"\d+ step\(s\) a call", output), output


def test_cli_startup_times_each_command_against_a_bare_interpreter():
    output = run_benchmark("cli_startup.py", "--rounds", 1)
    rows = dict(re.findall(rf"^(.+?) +{NUMBER} +{NUMBER}-{NUMBER} +({NUMBER})x$", output, re.MULTILINE))
    assert set(rows) == {"python -c pass (baseline)", "rnncli cells", "rnncli cells lstm", "rnncli --help",
                         "rnncli train --help"}, output
    assert number(rows["python -c pass (baseline)"]) == 1.0
    assert all(number(ratio) > 1 for name, ratio in rows.items() if name.startswith("rnncli"))


def test_quality_prints_validation_nats_per_minute_the_final_table_and_the_targets(tmp_path):
    output = run_benchmark("quality.py", "--minutes", 0.05, "--preset", "none", "--json", tmp_path / "quality.json",
                           "--", "--hidden", 8, "--batch-size", 4, "--unroll", 5, "--eval-every", 5, "--log-every", 5,
                           "--valid-size", 2000)
    with_torch = importlib.util.find_spec("torch") is not None  # the benchmark runs under this interpreter too
    assert "rnncli train --corpus tinyshakespeare --max-seconds 3 " in output  # 0.05 minutes, no --preset
    assert ("transformer skipped: torch is not installed" in output) is not with_torch, output
    # 3 seconds hold no whole minute: the per-minute table has its final row alone
    assert "0.05 min: validation nats (step) at each minute, rnncli preset none" in output, output
    final = re.search(rf"^ +final +({NUMBER}) +([\d,]+) +(?:skipped|({NUMBER}) +([\d,]+))$", output, re.MULTILINE)
    assert final, output
    ours = number(final[1])
    assert 0 < ours <= 1.02 * math.log(65)  # a few steps from random: about uniform over 65 characters, or better
    summary = re.search(rf"^0\.05 min +none +({NUMBER}) +(?:skipped +-|({NUMBER}) +([+-]{NUMBER}))$", output,
                        re.MULTILINE)
    assert summary and number(summary[1]) == ours, output
    if with_torch:
        theirs = number(final[3])
        assert 0 < theirs <= 1.02 * math.log(65) and int(final[4].replace(",", "")) >= 1
        assert number(summary[2]) == theirs
        assert number(summary[3]) == pytest.approx(ours - theirs, abs=2e-4)
    else:
        assert final[3] is None and summary[2] is None
    targets = re.findall(r"^ +(\d+) min: rnncli (<=|>=) ([\d.]+) nats(?: below the transformer)?: (\w+(?: \w+)?)$",
                         output, re.MULTILINE)
    assert [(minutes, sign, bound) for minutes, sign, bound, _ in targets] == [
        ("3", "<=", "1.55"), ("3", ">=", "0.15"), ("10", "<=", "1.43"), ("10", ">=", "0.12"), ("30", "<=", "1.38")]
    assert {outcome for *_, outcome in targets} == {"not measured"}  # no budget of 3, 10 or 30 minutes ran
    figures = json.loads((tmp_path / "quality.json").read_text())
    [result] = figures["results"]
    curve = result["rnncli"]["curve"]
    assert curve[0]["step"] == 0 and curve[-1]["step"] == result["rnncli"]["steps_done"] - 1  # evaluated at the end
    assert all(0 < e["elapsed_s"] < 60 and 0 < e["valid_nats"] for e in curve)
    assert round(result["rnncli"]["final"]["valid_nats"], 4) == ours
    assert (result["transformer"] is not None) is with_torch


def test_gpu_check_on_the_cpu_agrees_with_itself_times_every_variant_and_says_what_to_choose(tmp_path):
    output = run_benchmark("gpu_check.py", "--device", "cpu", "--smoke", "--rounds", 1, "--json", tmp_path / "gpu.json")
    report = json.loads((tmp_path / "gpu.json").read_text())
    assert report["device"] == "/CPU:0" and any(d["type"] == "CPU" for d in report["devices"])
    assert set(report["agreement"]) == {"lstm", "gru", "md_lstm 8x8"}
    assert all(difference == 0.0 for difference in report["agreement"].values())  # the CPU against itself
    variants = set(report["training"]["tiny"])
    assert variants == {"lstm static", "lstm static+xla", "lstm window", "lstm window+xla", "lstm dynamic",
                        "lstm dynamic+xla", "keras LSTM"}
    assert all(f["chars_per_sec"] > 0 for f in report["training"]["tiny"].values())
    assert set(report["diagonal"]["4x4"]) == {"wavefront", "wavefront_xla", "cellwise_xla"}
    choice = report["choices"]["tiny"]
    assert choice["unroll_mode"] in ("static", "window", "dynamic") and choice["hidden"] == 8
    assert re.search(r"^choose at 8 units \(tiny\): --unroll-mode (static|window|dynamic) \(", output, re.MULTILINE)
    assert "agreement with the CPU on /CPU:0" in output and output.count(" ok") == 3
