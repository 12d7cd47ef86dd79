"""rnncli compare: a tiny study's table, files, plot, matched parameters and resumption."""

import dataclasses
import json

import pytest
from click.testing import CliRunner

from rnncli.cli import main
from rnncli.compare import hidden_for_parameters, parameter_polynomial
from rnncli.config import TrainConfig
from rnncli.restore import build_model
from tests.pictures import assert_drawn
from tests.command_line import invoke

TINY = ["--batch-size", "4", "--unroll", "8", "--lr", "1", "--log-every", "2", "--eval-every", "3",
        "--sample-every", "0", "--valid-size", "300"]


@pytest.mark.parametrize("cell", ["lstm", "gru", "mut1", "fgr"])
def test_the_parameter_polynomial_is_exact_and_the_matched_size_is_the_closest(cell):
    config = TrainConfig(cell=cell, layers=2, embedding_size=5)
    a, b, c = parameter_polynomial(config, vocab_size=30)
    count = build_model(dataclasses.replace(config, hidden=37), 30).parameter_count
    assert a * 37**2 + b * 37 + c == pytest.approx(count)
    hidden = hidden_for_parameters(config, 30, 20_000)

    def distance(h):
        return abs(build_model(dataclasses.replace(config, hidden=h), 30).parameter_count - 20_000)

    assert distance(hidden) <= min(distance(hidden - 1), distance(hidden + 1))


def study_args(study, corpus, budget_steps):
    return ["compare", "--cells", "lstm,jzs1", "--seeds", 2, "--budget-steps", budget_steps, "--match-params", 4000,
            "--study-dir", study, "--corpus", corpus, "--json", *TINY]


@pytest.fixture(scope="module")
def finished_study(tmp_path_factory, small_text):
    """A tiny study of 6 steps per run, uninterrupted: ``(study folder, the command's output)``."""
    folder = tmp_path_factory.mktemp("finished")
    corpus = folder / "small.txt"
    corpus.write_text(small_text, encoding="utf-8")
    result = invoke(*study_args(folder / "study", corpus, 6))
    assert result.exit_code == 0, result.output
    return folder / "study", result


def test_a_tiny_study_ranks_cells_and_writes_its_files(finished_study):
    study, result = finished_study
    summary = json.loads(result.stdout)["summary"]
    assert [row["cell"] for row in summary] == sorted(["lstm", "mut1"], key=lambda c: next(
        r["valid_bpc_mean"] for r in summary if r["cell"] == c))
    assert all(abs(row["parameters"] - 4000) < 400 and row["seeds"] == 2 for row in summary)
    assert "hidden sizes for about 4,000 parameters" in result.stderr
    assert "sorted by validation bpc" in result.stderr
    saved = json.loads((study / "study.json").read_text())
    assert len(saved["runs"]) == 4 and {r["steps"] for r in saved["runs"]} == {6}
    lines = (study / "study.csv").read_text().splitlines()
    assert lines[0].startswith("cell,seed,hidden,parameters") and len(lines) == 5
    assert_drawn(study / "study.png", size=(1300, 500))
    seeds = {r["seed"]: r["valid_bpc"] for r in saved["runs"] if r["cell"] == "lstm"}
    assert seeds[0] != seeds[1]  # different seeds, different runs


def test_running_the_study_again_keeps_the_finished_runs_and_resumes_one_interrupted_midway(
        finished_study, tmp_path, small_corpus):
    """A run interrupted after its step-3 checkpoint (what Ctrl-C leaves: a checkpoint, no result.json) resumes
    there and ends where the uninterrupted study's run ended; the finished runs are kept as they are."""
    (study, _), again = finished_study, tmp_path / "again"
    assert invoke(*study_args(again, small_corpus, 3)).exit_code == 0
    (again / "mut1" / "seed1" / "result.json").unlink()
    result = invoke(*study_args(again, small_corpus, 6))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("run ")]
    assert [line.split("  ")[:3] for line in lines] == [
        ["run 1/4", "lstm seed 0", "kept"], ["run 2/4", "lstm seed 1", "kept"], ["run 3/4", "mut1 seed 0", "kept"],
        ["run 4/4", "mut1 seed 1", "resumed"]]
    assert "step " not in result.stderr  # each run's own log goes to its directory, once per invocation
    log = (again / "mut1" / "seed1" / "train.log").read_text()
    assert "at step 3" in log and "validation perplexity" in log
    runs = {(r["cell"], r["seed"]): r for r in json.loads((again / "study.json").read_text())["runs"]}
    assert {key: run["steps"] for key, run in runs.items()} == {
        ("lstm", 0): 3, ("lstm", 1): 3, ("mut1", 0): 3, ("mut1", 1): 6}
    uninterrupted = next(r for r in json.loads((study / "study.json").read_text())["runs"]
                         if (r["cell"], r["seed"]) == ("mut1", 1))
    assert runs["mut1", 1]["valid_bpc"] == pytest.approx(uninterrupted["valid_bpc"], rel=1e-5)

    def losses(folder):
        records = (folder / "mut1" / "seed1" / "metrics.jsonl").read_text().splitlines()
        return {r["step"]: r["loss"] for r in map(json.loads, records) if "loss" in r}

    assert losses(again) == pytest.approx(losses(study), rel=1e-5)


@pytest.mark.parametrize("args, message", [
    (["--cells", "lstm,nosuch"], "unknown cell nosuch"),
    ([], "give a budget"),
    (["--budget-steps", "2", "--residual"], "--residual joins layers of equal width"),
])
def test_bad_study_options_are_one_line_and_exit_2(tmp_path, small_corpus, args, message):
    result = CliRunner().invoke(main, ["compare", "--corpus", str(small_corpus), "--study-dir",
                                       str(tmp_path / "s"), *args])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "s").exists()


def test_a_preset_fills_in_every_run_of_the_study_and_options_given_still_win(tmp_path, small_corpus):
    study = tmp_path / "study"
    args = ["compare", "--cells", "gru", "--seeds", 1, "--budget-steps", 1, "--preset", "cpu-short", "--hidden", 8,
            "--batch-size", 4, "--unroll", 8, "--valid-size", 300, "--study-dir", study, "--corpus", small_corpus]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    config = json.loads((study / "gru" / "seed0" / "config.json").read_text())
    # cpu-short's np cell and 10^7 steps give way to the study's cells and budget, its --hidden to the given 8
    assert {name: config[name] for name in ("cell", "steps", "hidden", "batch_size", "optimizer", "lr", "schedule",
                                             "clip_norm", "preset")} == {
        "cell": "gru", "steps": 1, "hidden": 8, "batch_size": 4, "optimizer": "adam", "lr": 0.006,
        "schedule": "cosine", "clip_norm": 5.0, "preset": "cpu-short"}
    again = invoke(*args)  # the same study, preset and options again: its finished run is kept
    assert again.exit_code == 0 and "gru seed 0  kept" in again.output
