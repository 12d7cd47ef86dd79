"""Interruption, kill -9, torn checkpoints and non-finite steps: a run loses nothing it had."""

import json
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner

from rnncli import train as train_module
from rnncli.cli import main
from rnncli.run_dir import RunDirectory
from rnncli.sample import CHUNK, Sampler
from rnncli.tensorflow_quiet import tf
from tests.command_line import invoke

TINY = ["--hidden", "16", "--batch-size", "4", "--unroll", "8", "--lr", "1", "--log-every", "1",
        "--eval-every", "1000", "--sample-every", "0", "--valid-size", "200", "--seed", "3"]


def losses(run):
    """The losses a reader of the run sees: a killed session's records past the resumed step are superseded."""
    return {r["step"]: r["loss"] for r in RunDirectory(run).metrics() if "loss" in r}


def start_training(run, corpus, steps, *extra):
    command = [sys.executable, "-m", "rnncli", "train", "--corpus", str(corpus), "--run-dir", str(run),
               "--steps", str(steps), *TINY, *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_step(run, process, step, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (run / "metrics.jsonl").exists() and max(losses(run), default=-1) >= step:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"training did not reach step {step} in {timeout} s")


@pytest.mark.parametrize("signal_number, exit_code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_finishes_the_step_saves_a_checkpoint_and_exits_128_plus_signal(
        tmp_path, small_corpus, signal_number, exit_code):
    run = tmp_path / "run"
    process = start_training(run, small_corpus, 100_000)
    wait_for_step(run, process, 3)
    process.send_signal(signal_number)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == exit_code, stderr
    done = max(losses(run)) + 1
    assert (run / "checkpoints" / f"ckpt-{done}.index").exists()
    assert f"Continue with: rnncli train --resume {run}" in stdout


@pytest.mark.slow
def test_kill_9_then_resume_follows_the_uninterrupted_trajectory(tmp_path, small_corpus):
    run = tmp_path / "killed"
    process = start_training(run, small_corpus, 100_000, "--checkpoint-every", "4")
    wait_for_step(run, process, 9)
    process.kill()
    process.wait()
    result = invoke("train", "--resume", run, "--steps", 16)
    assert result.exit_code == 0, result.output
    assert invoke("train", "--corpus", small_corpus, "--run-dir", tmp_path / "whole", "--steps", 16,
                  "--checkpoint-every", "4", *TINY).exit_code == 0
    resumed, whole = losses(run), losses(tmp_path / "whole")
    assert sorted(resumed) == list(range(16))
    assert resumed == pytest.approx(whole, rel=1e-5)


def test_a_torn_latest_checkpoint_falls_back_to_the_one_before(tmp_path, small_corpus):
    run = tmp_path / "run"
    assert invoke("train", "--corpus", small_corpus, "--run-dir", run, "--steps", 6, "--checkpoint-every", 2,
                  *TINY).exit_code == 0
    data = next((run / "checkpoints").glob("ckpt-6.data-*"))
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    result = invoke("train", "--resume", run, "--steps", 8)
    assert result.exit_code == 0, result.output
    assert "ckpt-6 is unreadable" in result.output
    assert "at step 4" in result.output
    assert sorted(losses(run)) == list(range(8))


def plant(monkeypatch, poison, at_step):
    """Wrap the train step so that ``poison(model, saved_states)`` runs once, just before ``at_step``."""
    made = train_module.make_train_step

    def make_with_plant(model, optimizer, saved_states, clip_norm, step_counter, strategy, **options):
        step = made(model, optimizer, saved_states, clip_norm, step_counter, strategy, **options)
        pending = [True]

        def planted(window):
            if pending and int(step_counter.numpy()) == at_step:
                pending.clear()
                poison(model, saved_states)
            return step(window)

        return planted

    monkeypatch.setattr(train_module, "make_train_step", make_with_plant)


def nan_state(model, saved_states):
    saved_states[0].cell.assign(tf.fill(saved_states[0].cell.shape, np.nan))


def nan_weight(model, saved_states):
    model.softmax_bias.assign(tf.fill(model.softmax_bias.shape, np.nan))


def test_a_planted_nan_is_skipped_and_counted(tmp_path, small_corpus, monkeypatch):
    plant(monkeypatch, nan_state, at_step=4)
    result = invoke("train", "--corpus", small_corpus, "--run-dir", tmp_path / "run", "--steps", 8, "--json", *TINY)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["bad_steps"] == 1 and np.isfinite(summary["loss"])
    assert sorted(losses(tmp_path / "run")) == [0, 1, 2, 3, 5, 6, 7]


def test_bad_steps_in_a_row_stop_the_run_with_exit_1_keeping_a_good_checkpoint(tmp_path, small_corpus, monkeypatch):
    plant(monkeypatch, nan_weight, at_step=5)
    run = tmp_path / "run"
    result = CliRunner().invoke(main, ["train", "--corpus", str(small_corpus), "--run-dir", str(run), "--steps", "50",
                                       "--max-bad-steps", "3", "--checkpoint-every", "2", *TINY])
    assert result.exit_code == 1
    assert "3 non-finite steps in a row" in result.output and "ckpt-4" in result.output
    reader = tf.train.load_checkpoint(str(run / "checkpoints" / "ckpt-4"))
    for name in reader.get_variable_to_shape_map():
        if name.startswith("model/"):
            assert np.all(np.isfinite(reader.get_tensor(name))), name


def test_rollback_restores_the_last_good_checkpoint_and_halves_the_learning_rate(tmp_path, small_corpus, monkeypatch):
    plant(monkeypatch, nan_weight, at_step=5)
    run = tmp_path / "run"
    result = invoke("train", "--corpus", small_corpus, "--run-dir", run, "--steps", 10, "--max-bad-steps", 2,
                    "--on-nan", "rollback", "--checkpoint-every", 2, *TINY)
    assert result.exit_code == 0, result.output
    assert "rolled back to" in result.output and "ckpt-4" in result.output
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    rates = {r["step"]: r["lr"] for r in records if "lr" in r}
    assert sorted(rates) == list(range(10))
    assert rates[3] == pytest.approx(1.0) and rates[4] == pytest.approx(0.5) and rates[9] == pytest.approx(0.5)


def test_resume_refuses_a_changed_corpus_or_another_unroll(tmp_path, small_corpus):
    run = tmp_path / "run"
    assert invoke("train", "--corpus", small_corpus, "--run-dir", run, "--steps", 2, *TINY).exit_code == 0
    result = invoke("train", "--resume", run, "--unroll", 9)
    assert result.exit_code == 2 and "--unroll 9 differs from the run's 8" in result.output
    small_corpus.write_text("ZEBRA " + small_corpus.read_text(), encoding="utf-8")
    result = invoke("train", "--resume", run, "--steps", 4)
    assert result.exit_code == 2 and "small.txt changed since the run started (5,279 bytes" in result.output


def test_rollbacks_keep_halving_the_learning_rate_and_stop_after_max_rollbacks(tmp_path, small_corpus):
    run = tmp_path / "run"
    result = CliRunner().invoke(main, ["train", "--corpus", str(small_corpus), "--run-dir", str(run), "--steps", "50",
                                       *TINY, "--lr", "3e38", "--on-nan", "rollback", "--max-bad-steps", "1",
                                       "--max-rollbacks", "3"])
    assert result.exit_code == 1, result.output
    assert re.findall(r"halved the learning rate \(now x(\S+)\)", result.output) == ["0.5", "0.25", "0.125"]
    assert "after 3 rollbacks (--max-rollbacks)" in result.output and "ckpt-0 is kept" in result.output


def test_a_sample_stopped_by_a_signal_prints_the_text_generated_so_far(tmp_path, small_corpus, monkeypatch):
    run = tmp_path / "run"
    assert invoke("train", "--corpus", small_corpus, "--run-dir", run, "--steps", 2, *TINY).exit_code == 0
    whole = invoke("sample", run, "--length", 3 * CHUNK, "--temperature", 0).output
    chunks = Sampler.chunks

    def interrupted_in_the_second_chunk(self, *args, **kwargs):
        for number, piece in enumerate(chunks(self, *args, **kwargs)):  # the random first symbol, then chunks
            if number == 2:
                raise KeyboardInterrupt
            yield piece

    monkeypatch.setattr(Sampler, "chunks", interrupted_in_the_second_chunk)
    result = CliRunner().invoke(main, ["sample", str(run), "--length", str(3 * CHUNK), "--temperature", "0"])
    assert result.exit_code == 130
    assert result.output == whole[:1 + CHUNK] + "\n"
