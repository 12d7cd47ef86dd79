"""Training options end to end: --max-seconds and compare --budget-seconds (time of earlier sessions included),
--reset-state-every, --embedding-size, a second Ctrl-C, and sample --prime-file."""

import io
import json
import signal

import numpy as np
import pytest
from rich.console import Console

from rnncli import train
from rnncli.config import TrainConfig
from rnncli.restore import load_trained
from rnncli.resume import apply_options
from rnncli.run_dir import RunDirectory
from rnncli.tensorflow_quiet import tf
from tests.command_line import invoke

TINY = {"hidden": 8, "batch_size": 4, "unroll": 5, "lr": 1.0, "log_every": 1, "eval_every": 1000,
        "sample_every": 0, "valid_size": 200, "seed": 3}
TINY_ARGS = [f"--{name.replace('_', '-')}={value}" for name, value in TINY.items()]
#: A study sets the seeds itself.
STUDY_ARGS = [arg for arg in TINY_ARGS if not arg.startswith("--seed=")]


def new_trainer(path, corpus, **options):
    config = TrainConfig(corpus=str(corpus), **TINY | options)
    return train.Trainer(config, RunDirectory.create(path, config), Console(file=io.StringIO()))


def resumed_trainer(path, **changes):
    """The run in ``path`` resumed with ``changes``, applied as the command line applies them
    (``rnncli.resume.apply_options``: another ``optimizer`` starts with fresh slots)."""
    run = RunDirectory.open(path)
    resumption = apply_options(run.config(), changes)
    return train.Trainer(resumption.config, run, Console(file=io.StringIO()), resume=True,
                         fresh_optimizer=resumption.new_optimizer)


def metrics(path):
    return [json.loads(line) for line in (path / "metrics.jsonl").read_text().splitlines()]


class StepClock:
    """Stands in for ``rnncli.train``'s ``time`` module: a clock that moves one second per training step."""

    def __init__(self):
        self.seconds = 0.0

    def perf_counter(self):
        return self.seconds


@pytest.fixture
def step_clock(monkeypatch):
    clock = StepClock()
    make_train_step = train.make_train_step

    def one_second_per_step(*args, **kwargs):
        step = make_train_step(*args, **kwargs)

        def timed(window):
            clock.seconds += 1.0
            return step(window)

        return timed

    monkeypatch.setattr(train, "make_train_step", one_second_per_step)
    monkeypatch.setattr(train, "time", clock)
    return clock


def test_max_seconds_stops_after_the_step_that_reaches_it_and_counts_earlier_sessions(tmp_path, small_corpus,
                                                                                        step_clock):
    """Step k ends k + 1 seconds in: 3.5 s stop the run after step 3; a resumed run (a new process: its clock
    starts again at 0) with 6.5 s has 4 s behind it, so it stops after step 6, not after step 9."""
    run = tmp_path / "run"
    summary = new_trainer(run, small_corpus, steps=1000, max_seconds=3.5).run_training()
    assert summary["steps_done"] == 4 and (run / "checkpoints" / "ckpt-4.index").exists()
    assert metrics(run)[-2]["elapsed_s"] == 4.0  # the last log; an evaluation follows it
    step_clock.seconds = 0.0
    summary = resumed_trainer(run, steps=1000, max_seconds=6.5).run_training()
    assert summary["steps_done"] == 7 and (run / "checkpoints" / "ckpt-7.index").exists()
    assert [r["step"] for r in metrics(run) if "loss" in r] == list(range(7))


def test_compare_budget_seconds_bounds_every_run_and_a_resumed_run_counts_its_earlier_time(tmp_path, small_corpus,
                                                                                          step_clock):
    study = tmp_path / "study"

    def run_study(seconds):
        result = invoke("compare", "--cells", "lstm,gru", "--seeds", 1, "--budget-seconds", seconds, "--study-dir",
                        study, "--corpus", small_corpus, *STUDY_ARGS)
        assert result.exit_code == 0, result.output
        return {r["cell"]: r["steps"] for r in json.loads((study / "study.json").read_text())["runs"]}

    assert run_study(3.5) == {"lstm": 4, "gru": 4}
    (study / "gru" / "seed0" / "result.json").unlink()  # as if interrupted after its checkpoint at step 4
    step_clock.seconds = 0.0
    assert run_study(6.5) == {"lstm": 4, "gru": 7}


def test_reset_state_every_starts_every_kth_window_from_zero_states(tmp_path, small_corpus):
    """With the weights held still (lr 1e-30), the saved states after steps 0..3 with a reset at step 2 are those
    of one call over windows 2 and 3 from zero states; without the reset they would carry windows 0 and 1."""
    trainer = new_trainer(tmp_path / "run", small_corpus, steps=4, reset_state_every=2, optimizer="sgd", lr=1e-30)
    trainer.run_training()
    windows = [trainer.batches.window(k)[:, :-1] for k in range(4)]

    def final_states(first_window):
        ids = np.concatenate(windows[first_window:], axis=1).T
        return tf.nest.flatten(trainer.model(tf.constant(ids), trainer.model.initial_states(4))[1])

    saved = [v.numpy() for v in tf.nest.flatten(trainer.saved_states)]
    for part, expected in zip(saved, final_states(2), strict=True):
        np.testing.assert_allclose(part, expected.numpy(), atol=1e-6)
    assert not np.allclose(saved[0], final_states(0)[0].numpy(), atol=1e-6)


@pytest.fixture(scope="module")
def embedding_run(tmp_path_factory, small_text):
    """A 3-step run with a 5-wide embedding: ``(run directory, corpus file)``."""
    folder = tmp_path_factory.mktemp("embedding")
    corpus = folder / "small.txt"
    corpus.write_text(small_text, encoding="utf-8")
    result = invoke("train", "--corpus", corpus, "--run-dir", folder / "run", "--steps", 3, "--embedding-size", 5,
                    *TINY_ARGS)
    assert result.exit_code == 0, result.output
    return folder / "run", corpus


def test_embedding_size_gives_the_model_an_embedding_that_is_trained_saved_and_restored(embedding_run):
    run, corpus = embedding_run
    vocab = len(json.loads((run / "vocab.json").read_text())["symbols"])
    shapes = tf.train.load_checkpoint(str(run / "checkpoints" / "ckpt-3")).get_variable_to_shape_map()
    assert shapes["model/embedding/.ATTRIBUTES/VARIABLE_VALUE"] == [vocab, 5]
    _, config, _, model = load_trained(run)
    assert config.embedding_size == 5
    assert [w.shape for w in model.stack.cells[0].W.values()] == [(5, 8)] * 4
    lstm = 4 * (5 * 8 + 8 * 8 + 8) + 3 * 8  # four blocks on 5 inputs, three peepholes
    assert model.parameter_count == vocab * 5 + lstm + 8 * vocab + vocab
    evaluated = invoke("eval", run, "--corpus", corpus, "--json")
    assert evaluated.exit_code == 0, evaluated.output
    assert 1.0 < json.loads(evaluated.stdout)["perplexity"] < vocab


def test_prime_file_primes_the_sample_as_the_same_text_given_with_prime(embedding_run, tmp_path):
    run, _ = embedding_run
    (tmp_path / "prime.txt").write_text("the lazy dog", encoding="utf-8")
    from_file = invoke("sample", run, "--prime-file", tmp_path / "prime.txt", "--length", 20, "--seed", 4, "--json")
    inline = invoke("sample", run, "--prime", "the lazy dog", "--length", 20, "--seed", 4, "--json")
    unprimed = invoke("sample", run, "--length", 20, "--seed", 4, "--json")
    text = json.loads(from_file.stdout)["text"]
    assert text.startswith("the lazy dog") and len(text) == len("the lazy dog") + 20
    assert text == json.loads(inline.stdout)["text"] != json.loads(unprimed.stdout)["text"]


def test_a_second_ctrl_c_stops_at_once_and_still_saves_a_checkpoint(tmp_path, small_corpus, monkeypatch):
    """Both Ctrl-Cs arrive before step 2 runs: the first alone would let it run and stop after it (at step 3);
    the second raises KeyboardInterrupt there, and the checkpoint is of step 2."""
    make_train_step = train.make_train_step

    def interrupted_twice_at_step_2(*args, **kwargs):
        step = make_train_step(*args, **kwargs)

        def interrupted(window):
            if int(step_counter.numpy()) == 2:
                signal.raise_signal(signal.SIGINT)
                signal.raise_signal(signal.SIGINT)
            return step(window)

        step_counter = args[4]
        return interrupted

    monkeypatch.setattr(train, "make_train_step", interrupted_twice_at_step_2)
    trainer = new_trainer(tmp_path / "run", small_corpus, steps=10)
    with pytest.raises(KeyboardInterrupt):
        trainer.run_training()
    assert trainer.step == 2
    assert (tmp_path / "run" / "checkpoints" / "ckpt-2.index").exists()
    assert "stopped at step 2; checkpoint saved" in trainer.console.file.getvalue()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handlers are put back
