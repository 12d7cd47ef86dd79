"""rnncli train / sample / eval end to end through the command line, in process."""

import json

import pytest
from click.testing import CliRunner

from rnncli.cli import main
from tests.pictures import assert_drawn
from tests.command_line import invoke

TINY = ["--hidden", "16", "--batch-size", "4", "--unroll", "8", "--lr", "1", "--log-every", "1",
        "--eval-every", "10", "--sample-every", "10", "--checkpoint-every", "5", "--valid-size", "500"]


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    corpus = folder / "corpus.txt"
    corpus.write_text("to be or not to be, that is the question. " * 80, encoding="utf-8")
    result = invoke("train", "--corpus", corpus, "--steps", 12, "--run-dir", folder / "run", "--json", *TINY)
    assert result.exit_code == 0, result.output
    return folder / "run", corpus, json.loads(result.stdout)


def test_train_writes_the_run_directory(trained_run):
    run, _, summary = trained_run
    assert {"step", "valid_perplexity", "valid_bpc", "chars_per_sec", "run_dir"} <= summary.keys()
    assert summary["step"] == 11 and summary["steps_done"] == 12 and summary["run_dir"] == str(run)
    config = json.loads((run / "config.json").read_text())
    assert config["cell"] == "lstm" and config["hidden"] == 16 and config["valid_size"] == 500
    assert json.loads((run / "vocab.json").read_text())["symbols"][0] == " "
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    logged = [r for r in records if "loss" in r]
    assert [r["step"] for r in logged] == list(range(12))
    assert "chars_per_sec" not in logged[0]  # its window included tracing
    assert {"minibatch_perplexity", "lr", "chars_per_sec", "elapsed_s"} <= logged[1].keys()
    assert [r["step"] for r in records if "valid_perplexity" in r] == [0, 10, 11]
    assert sorted(p.name for p in (run / "checkpoints").glob("*.index")) == ["ckpt-10.index", "ckpt-12.index",
                                                                             "ckpt-5.index"]
    samples = (run / "samples.txt").read_text()
    assert samples.startswith("── sample 1 of 5, step 0, temperature 1 ──\n  ")
    assert samples.count("── sample ") == 15
    assert_drawn(run / "curves.png", size=(900, 500))


def test_tensorboard_events_hold_the_logged_scalars(trained_run):
    from rnncli.tensorflow_quiet import tf

    run, _, _ = trained_run
    tags = set()
    for event_file in (run / "tensorboard").glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            tags.update(value.tag for value in event.summary.value)
    assert {"loss", "valid_perplexity", "valid_bpc", "lr"} <= tags


def test_eval_of_the_validation_text_equals_the_final_validation_figure(trained_run, tmp_path):
    run, corpus, summary = trained_run
    valid = tmp_path / "valid.txt"
    valid.write_text(corpus.read_text(encoding="utf-8")[-500:], encoding="utf-8")
    result = invoke("eval", run, "--corpus", valid, "--json")
    assert result.exit_code == 0, result.output
    evaluation = json.loads(result.stdout)
    assert evaluation["characters"] == 499
    assert evaluation["perplexity"] == pytest.approx(summary["valid_perplexity"], rel=1e-5)
    assert evaluation["bpc"] == pytest.approx(summary["valid_bpc"], rel=1e-5)


def test_sampling_is_reproducible_and_continues_the_prime(trained_run):
    run, _, _ = trained_run
    first = json.loads(invoke("sample", run, "--length", 40, "--seed", 3, "--prime", "to be", "--json").stdout)
    again = json.loads(invoke("sample", run, "--length", 40, "--seed", 3, "--prime", "to be", "--json").stdout)
    other = json.loads(invoke("sample", run, "--length", 40, "--seed", 4, "--prime", "to be", "--json").stdout)
    assert first["text"] == again["text"] != other["text"]
    assert first["text"].startswith("to be") and len(first["text"]) == 45
    greedy = [json.loads(invoke("sample", run, "--length", 20, "--temperature", 0, "--seed", s, "--json").stdout)
              for s in (1, 1)]
    assert greedy[0]["text"] == greedy[1]["text"]
    several = json.loads(invoke("sample", run, "--length", 10, "--num-samples", 3, "--prime", "be", "--json").stdout)
    assert len(several["texts"]) == 3 and all(len(t) == 12 for t in several["texts"])


def test_resume_continues_exactly_like_an_uninterrupted_run(tmp_path, small_corpus):
    common = ["--corpus", small_corpus, *TINY, "--sample-every", "0", "--seed", "5"]
    assert invoke("train", "--steps", 14, "--run-dir", tmp_path / "whole", *common).exit_code == 0
    assert invoke("train", "--steps", 5, "--run-dir", tmp_path / "split", *common).exit_code == 0
    resumed = invoke("train", "--resume", tmp_path / "split", "--steps", 14)
    assert resumed.exit_code == 0, resumed.output
    assert "resumed" in resumed.output

    def losses(name):
        lines = (tmp_path / name / "metrics.jsonl").read_text().splitlines()
        return {r["step"]: r["loss"] for r in map(json.loads, lines) if "loss" in r}

    whole, split = losses("whole"), losses("split")
    assert sorted(split) == list(range(14))
    assert split == pytest.approx(whole, rel=1e-5)


@pytest.mark.parametrize("args, message", [
    (["--cell", "nosuch"], "'nosuch' is not one of"),
    (["--hidden", "0"], "0 is not in the range x>=1"),
    (["--batch-size", "-3"], "-3 is not in the range x>=1"),
    (["--unroll", "5000"], "fewer than one batch"),
    (["--batch-size", "1000"], "fewer than one batch"),
])
def test_bad_training_input_is_one_line_and_exit_2(tmp_path, small_corpus, args, message):
    result = CliRunner().invoke(main, ["train", "--corpus", str(small_corpus), "--run-dir", str(tmp_path / "r"),
                                       "--valid-size", "100", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_foreign_or_existing_run_directory_is_never_touched(tmp_path, small_corpus):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"not a run")
    result = invoke("train", "--corpus", small_corpus, "--run-dir", foreign)
    assert result.exit_code == 2 and "not an rnncli run" in result.output
    assert [p.name for p in foreign.iterdir()] == ["holiday.jpg"]
    assert (foreign / "holiday.jpg").read_bytes() == b"not a run"
    for command in (["sample", foreign], ["eval", foreign, "--corpus", small_corpus], ["train", "--resume", foreign]):
        result = invoke(*command)
        assert result.exit_code == 2 and "not an rnncli run directory" in result.output
    result = invoke("sample", tmp_path / "absent")
    assert result.exit_code == 2 and "no such run directory" in result.output


def test_training_into_an_existing_run_is_refused_and_leaves_it_intact(trained_run):
    run, corpus, _ = trained_run
    before = (run / "config.json").read_text()
    result = invoke("train", "--corpus", corpus, "--run-dir", run)
    assert result.exit_code == 2 and "already holds a run" in result.output
    assert (run / "config.json").read_text() == before


def test_a_prime_outside_the_vocabulary_is_refused(trained_run):
    run, _, _ = trained_run
    result = invoke("sample", run, "--prime", "tö bé")
    assert result.exit_code == 2
    assert "outside the run's vocabulary: 'éö'" in result.output


def test_resume_with_a_different_architecture_is_refused(trained_run):
    run, _, _ = trained_run
    result = invoke("train", "--resume", run, "--hidden", 32)
    assert result.exit_code == 2 and "--hidden 32 differs from the run's 16" in result.output


STACK = ["--layers", 2, "--unroll-mode", "dynamic", "--dropout", 0.3, "--vertical", "both", "--residual",
         "--time-skip", 2, "--norm-stabilizer", "--state-averaging", "--layer-devices", "0,9"]


@pytest.mark.filterwarnings("ignore:--layer-devices")  # once is checked; every later build warns again
def test_a_deep_stack_with_every_option_trains_resumes_exactly_samples_and_evaluates(tmp_path, small_corpus):
    common = ["--corpus", small_corpus, *TINY, "--hidden", 8, "--unroll", 6, "--sample-every", "0", "--seed", 2,
              *STACK]
    with pytest.warns(RuntimeWarning, match="GPU:9; the layers placed there run on the CPU") as warned:
        assert invoke("train", "--steps", 6, "--run-dir", tmp_path / "whole", *common).exit_code == 0
    assert len(warned) == 1
    assert invoke("train", "--steps", 3, "--run-dir", tmp_path / "split", *common).exit_code == 0
    resumed = invoke("train", "--resume", tmp_path / "split", "--steps", 6)
    assert resumed.exit_code == 0, resumed.output

    def records(name):
        return [json.loads(line) for line in (tmp_path / name / "metrics.jsonl").read_text().splitlines()]

    whole, split = records("whole"), records("split")
    for key in ("loss", "norm_stabilizer"):
        assert [r[key] for r in split if "loss" in r] == pytest.approx([r[key] for r in whole if "loss" in r],
                                                                       rel=1e-5)
    assert all(r["norm_stabilizer"] > 0 for r in whole if "loss" in r)
    config = json.loads((tmp_path / "whole" / "config.json").read_text())
    assert {k: config[k] for k in ("layers", "dropout", "vertical", "layer_skip", "residual", "time_skip",
                                   "norm_stabilizer", "state_averaging", "layer_devices")} == {
        "layers": 2, "dropout": 0.3, "vertical": "both", "layer_skip": 0, "residual": True, "time_skip": 2,
        "norm_stabilizer": 50.0, "state_averaging": 0.5, "layer_devices": [0, 9]}
    samples = [json.loads(invoke("sample", tmp_path / "whole", "--length", 30, "--prime", "the", "--json").stdout)
               for _ in range(2)]
    assert samples[0]["text"] == samples[1]["text"] and len(samples[0]["text"]) == 33
    evaluation = invoke("eval", tmp_path / "whole", "--corpus", small_corpus, "--json")
    assert evaluation.exit_code == 0 and json.loads(evaluation.stdout)["characters"] > 0
    changed = invoke("train", "--resume", tmp_path / "whole", "--time-skip", 1)
    assert changed.exit_code == 2 and "--time-skip 1 differs from the run's 2" in changed.output


@pytest.mark.parametrize("args, message", [
    (["--layers", "3", "--vertical", "input", "--layer-skip", "2"], "--layer-skip 2 needs --layers 4 or more"),
    (["--layer-skip", "1", "--layers", "3"], "--layer-skip only applies to vertical connections"),
    (["--residual"], "--residual joins layers of equal width"),
    (["--layers", "2", "--layer-devices", "0"], "--layer-devices names 1 devices for 2 layers"),
    (["--layer-devices", "0,gpu"], "give one GPU index per layer"),
    (["--dropout", "1"], "1.0 is not in the range 0<=x<1"),
    (["--state-averaging", "2"], "2.0 is not in the range 0<=x<=1"),
])
def test_bad_stack_options_are_one_line_and_exit_2_before_any_run_is_written(tmp_path, small_corpus, args, message):
    result = CliRunner().invoke(main, ["train", "--corpus", str(small_corpus), "--run-dir", str(tmp_path / "r"),
                                       *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "r").exists()


def test_a_time_limit_says_where_it_stopped_and_the_summary_step_is_the_last_logged(tmp_path, small_corpus):
    result = invoke("train", "--corpus", small_corpus, "--run-dir", tmp_path / "run", *TINY, "--sample-every", "0",
                    "--steps", 100000, "--max-seconds", 2, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    logged = [r for r in map(json.loads, (tmp_path / "run" / "metrics.jsonl").read_text().splitlines())
              if "loss" in r]
    assert summary["step"] == logged[-1]["step"] and summary["steps_done"] == logged[-1]["step"] + 1
    assert f"time limit 2 s reached at step {summary['step']}; checkpoint saved" in result.stderr
    assert (tmp_path / "run" / "checkpoints" / f"ckpt-{summary['steps_done']}.index").exists()


def test_a_run_that_does_not_learn_is_warned_once(tmp_path, small_corpus):
    result = invoke("train", "--corpus", small_corpus, "--run-dir", tmp_path / "run", *TINY, "--lr", "1e-9",
                    "--steps", 25, "--eval-every", 10)
    assert result.exit_code == 0, result.output
    assert result.output.count("the run is not learning; try a lower --lr") == 1
    assert "warning: at step 10 the validation perplexity" in result.output


def test_several_samples_are_blocks_with_a_header_each(trained_run):
    run, _, _ = trained_run
    result = invoke("sample", run, "--length", 30, "--num-samples", 3, "--prime", "to be", "--seed", 2)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("── sample ")]
    assert [lines[i] for i in headers] == [f"── sample {n} of 3, temperature 1, seed 2 ──" for n in (1, 2, 3)]
    assert all(line.startswith("  to be") for i, line in enumerate(lines) if i - 1 in headers)


def test_top_k_of_one_is_greedy_and_top_p_composes_with_temperature(trained_run):
    run, _, _ = trained_run

    def text(*args):
        result = invoke("sample", run, "--length", 40, "--prime", "to be", "--json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["text"]

    greedy = text("--temperature", 0)
    assert text("--top-k", 1, "--seed", 1) == text("--top-k", 1, "--seed", 2) == greedy
    assert text("--top-p", 1e-6, "--seed", 3) == greedy  # the nucleus of the smallest mass is the top symbol
    assert text("--top-k", 5, "--top-p", 0.9, "--temperature", 0.7, "--seed", 4) == \
        text("--top-k", 5, "--top-p", 0.9, "--temperature", 0.7, "--seed", 4)
