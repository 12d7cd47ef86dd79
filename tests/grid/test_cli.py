"""``rnncli diagonal`` end to end through the command line, tiny: three steps on 4x4 grids."""

import json

import pytest
from click.testing import CliRunner

from rnncli.cli import main
from rnncli.grid.config import MODEL_NAMES
from tests.devices import pretend_gpus
from tests.pictures import assert_drawn

TINY = ["--size", "4", "--steps", "3", "--hidden", "4", "--batch-size", "2", "--eval-grids", "8"]


def invoke(*args):
    return CliRunner().invoke(main, ["diagonal", *[str(a) for a in args]], catch_exceptions=False)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("diagonal") / "run"
    result = invoke(*TINY, "--run-dir", run, "--json")
    assert result.exit_code == 0, result.output
    return run, json.loads(result.stdout)


def test_json_has_an_entry_per_model_with_the_final_figures(finished_run):
    run, summary = finished_run
    assert list(summary) == list(MODEL_NAMES)
    for figures in summary.values():
        assert {"overall_loss", "second_x_loss", "hit_rate", "seconds_per_step", "skipped_updates"} <= figures.keys()
        assert 0.0 <= figures["hit_rate"] <= 1.0 and figures["seconds_per_step"] > 0
    assert json.loads((run / "summary.json").read_text()) == summary


def test_metrics_record_every_step_of_every_model(finished_run):
    run, _ = finished_run
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [(r["model"], r["step"]) for r in records] == [(m, k) for m in MODEL_NAMES for k in range(3)]
    for model in MODEL_NAMES:
        seconds = [r["seconds"] for r in records if r["model"] == model]
        assert seconds == sorted(seconds) and seconds[0] > 0
    assert {"overall_loss", "second_x_loss", "hit_rate", "skipped"} <= records[0].keys()


def test_the_seed_style_log_and_the_plots_are_written(finished_run):
    run, _ = finished_run
    lines = (run / "out_md_lstm.tsv").read_text().splitlines()
    assert lines[0] == "steps_md_lstm overall_loss_md_lstm time_md_lstm relevant_loss_md_lstm"
    assert [line.split()[0] for line in lines[1:]] == ["0000", "0001", "0002"]
    for plot in ("loss.png", "predictions.png"):
        assert_drawn(run / plot)
    assert json.loads((run / "config.json").read_text())["height"] == 4


def test_one_model_and_a_non_square_grid(tmp_path):
    result = invoke("--model", "snake_sd_lstm", "--height", 3, "--width", 5, "--snake-order", "boustrophedon",
                    "--loss", "bce", "--steps", 2, "--hidden", 3, "--eval-grids", 4, "--run-dir", tmp_path / "r",
                    "--json")
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)) == ["snake_sd_lstm"]


def test_a_folder_that_holds_something_is_refused_in_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = invoke(*TINY, "--run-dir", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"Error: {tmp_path} is not empty; choose another --run-dir"]


def test_asking_for_a_gpu_without_one_is_a_usage_error(tmp_path, monkeypatch):
    pretend_gpus(monkeypatch, 0)
    result = invoke(*TINY, "--device", "gpu", "--run-dir", tmp_path / "r")
    assert result.exit_code == 2
    assert "sees no GPU" in result.stderr
    assert not (tmp_path / "r").exists()


def test_a_grid_too_small_for_the_diagonal_is_refused():
    result = invoke("--size", 2)
    assert result.exit_code == 2
    assert "--size" in result.stderr
