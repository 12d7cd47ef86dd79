"""``rnncli train --resume``: what a person gives again takes effect, is refused by name, or is a no-op."""

import json

import pytest

from tests.command_line import invoke

TINY = ["--hidden", "8", "--batch-size", "4", "--unroll", "6", "--lr", "1", "--log-every", "1", "--eval-every", "4",
        "--sample-every", "0", "--checkpoint-every", "4", "--valid-size", "300"]


def records(run):
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def snapshot(folder):
    """Every file below ``folder`` with its bytes and modification time."""
    return {p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def run(tmp_path, small_corpus):
    folder = tmp_path / "run"
    result = invoke("train", "--corpus", small_corpus, "--run-dir", folder, "--steps", 4, *TINY)
    assert result.exit_code == 0, result.output
    return folder


def test_a_new_learning_rate_and_schedule_take_effect_from_the_current_step(run):
    result = invoke("train", "--resume", run, "--steps", 10, "--lr", 0.5, "--decay-rate", 0.5, "--decay-steps", 3,
                    "--log-every", 2, "--sample-every", 3, "--keep-checkpoints", 1)
    assert result.exit_code == 0, result.output
    assert "applied: --steps 4 -> 10, --lr 1.0 -> 0.5, --decay-rate 0.1 -> 0.5" in result.output
    logged = {r["step"]: r["lr"] for r in records(run) if "loss" in r and r["step"] >= 4}
    # lr(step) = lr_0 · decay_rate^floor(updates / decay_steps), updates counted from the run's start
    assert logged == pytest.approx({s: 0.5 * 0.5 ** ((s + 1) // 3) for s in (4, 6, 8, 9)})
    samples = (run / "samples.txt").read_text()
    assert samples.count("── sample 1 of 5") == 2 and ", step 6," in samples and ", step 9," in samples
    assert sorted(p.name for p in (run / "checkpoints").glob("*.index")) == ["ckpt-10.index"]
    config = json.loads((run / "config.json").read_text())
    assert config["lr"] == 0.5 and config["steps"] == 10
    assert config["resumes"] == [{"step": 4, "changed": {"steps": [4, 10], "lr": [1.0, 0.5], "decay_rate": [0.1, 0.5],
                                                         "decay_steps": [5000, 3], "log_every": [1, 2],
                                                         "sample_every": [0, 3], "keep_checkpoints": [3, 1]}}]


def test_a_new_optimizer_starts_fresh_slots_and_says_so(run):
    result = invoke("train", "--resume", run, "--steps", 6, "--optimizer", "adam", "--lr", 0.01)
    assert result.exit_code == 0, result.output
    assert "--optimizer adam replaces the run's sgd: it starts with fresh slots" in result.output
    assert all(r["lr"] == pytest.approx(0.01) for r in records(run) if "loss" in r and r["step"] >= 4)


@pytest.mark.parametrize("args, message", [
    (["--hidden", 16], "--hidden 16 differs from the run's 8 (a resumed run keeps its architecture)"),
    (["--seed", 4], "--seed 4 differs from the run's 0 (it only shapes a new run's initial weights)"),
    (["--valid-size", 200], "--valid-size 200 differs from the run's 300 (a resumed run trains on the ids"),
    (["--corpus", "tinyshakespeare"], "--corpus tinyshakespeare differs from the run's"),
    (["--cell", "gru", "--lr", 3], "--cell gru differs from the run's lstm"),
])
def test_a_refused_option_is_named_exit_2_and_the_run_is_untouched(run, args, message):
    before = snapshot(run)
    result = invoke("train", "--resume", run, "--steps", 8, *args)
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(run) == before


def test_steps_already_reached_train_nothing_and_touch_nothing(run):
    before = snapshot(run)
    result = invoke("train", "--resume", run, "--steps", 3, "--json")
    assert result.exit_code == 0
    assert "already at step 4 of --steps 3; nothing to train" in result.stderr
    assert json.loads(result.stdout) == {"step": 4, "nothing_to_train": True, "run_dir": str(run)}
    assert snapshot(run) == before


def test_a_run_resumes_from_another_working_directory(tmp_path, monkeypatch):
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "text.txt").write_text("the cat sat on the mat and the dog sat on the log\n" * 40)
    monkeypatch.chdir(tmp_path / "project")
    assert invoke("train", "--corpus", "text.txt", "--run-dir", "run", "--steps", 2, *TINY).exit_code == 0
    config = json.loads((tmp_path / "project" / "run" / "config.json").read_text())
    assert config["corpus"] == str(tmp_path / "project" / "text.txt") and config["corpus_bytes"] == 2000
    monkeypatch.chdir(tmp_path)
    result = invoke("train", "--resume", "project/run", "--steps", 4)
    assert result.exit_code == 0, result.output
    assert max(r["step"] for r in records(tmp_path / "project" / "run")) == 3


def test_a_run_read_from_stdin_keeps_its_text_resumes_and_evaluates(tmp_path):
    text = "a stream of text that came from a pipe, and only once.\n" * 40
    run = tmp_path / "run"
    assert invoke("train", "--corpus", "-", "--run-dir", run, "--steps", 2, *TINY, input=text).exit_code == 0
    assert (run / "stdin.txt").read_text() == text
    resumed = invoke("train", "--resume", run, "--steps", 4, input="")
    assert resumed.exit_code == 0, resumed.output
    evaluation = invoke("eval", run, "--json")
    assert evaluation.exit_code == 0, evaluation.output
    summary = json.loads(evaluation.stdout)
    assert summary["characters"] == 299 and summary["text"] == "- (validation split)"
    final = [r for r in records(run) if "valid_bpc" in r][-1]
    assert summary["bpc"] == pytest.approx(final["valid_bpc"], rel=1e-5)


def test_resume_with_a_run_dir_as_well_is_a_usage_error(run):
    result = invoke("train", "--resume", run, "--run-dir", run)
    assert result.exit_code == 2 and "--resume names the run directory already" in result.output
