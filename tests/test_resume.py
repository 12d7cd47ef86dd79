"""The resume rules (``rnncli.resume``): options given again are applied or refused by name, never ignored."""

import dataclasses
import json

import pytest

from rnncli.config import TrainConfig
from rnncli.errors import UsageProblem
from rnncli.resume import APPLIED, applied_text, apply_options, record

SAVED = TrainConfig(corpus="/data/corpus.txt", hidden=64, lr=10.0, optimizer="sgd", valid_size=500, dropout=0.1,
                    average_weights=0.99)

#: A value other than the saved one for every applied option.
NEW_VALUES = {"steps": 9000, "max_seconds": 60.0, "lr": 0.5, "decay_rate": 0.5, "decay_steps": 100,
              "clip_norm": 5.0, "momentum": 0.5, "optimizer": "adam", "log_every": 7, "eval_every": 70,
              "sample_every": 0, "checkpoint_every": 50, "keep_checkpoints": 9, "on_nan": "rollback",
              "max_bad_steps": 3, "max_rollbacks": 2, "max_corpus_bytes": 10**6, "reset_state_every": 20,
              "dropout": 0.25, "unroll_mode": "window", "layer_devices": [0], "data_dir": "/cache", "stall_timeout": 5.0,
              "warmup_steps": 100, "patience": 4, "weight_decay": 0.1, "variational_dropout": True,
              "steps_per_call": 8, "input_dropout": 0.0, "average_weights": 0.999}


def test_every_applied_option_is_applied_and_recorded_with_its_old_value():
    assert set(NEW_VALUES) == set(APPLIED)
    resumption = apply_options(SAVED, NEW_VALUES)
    assert {name: getattr(resumption.config, name) for name in APPLIED} == NEW_VALUES
    assert resumption.changed == {name: [getattr(SAVED, name), value] for name, value in NEW_VALUES.items()}
    assert resumption.new_optimizer
    assert SAVED.lr == 10.0  # the saved config is not modified


def test_options_given_with_their_saved_values_change_nothing():
    resumption = apply_options(SAVED, {"hidden": 64, "lr": 10.0, "valid_size": 500})
    assert resumption.changed == {} and resumption.config == SAVED and not resumption.new_optimizer


@pytest.mark.parametrize("name, value, reason", [
    ("hidden", 128, "a resumed run keeps its architecture"),
    ("cell", "gru", "a resumed run keeps its architecture"),
    ("batch_size", 32, "a resumed run keeps its architecture"),
    ("corpus", "/data/other.txt", "a resumed run trains on the ids it started with"),
    ("valid_size", 600, "a resumed run trains on the ids it started with"),
    ("level", "word", "a resumed run trains on the ids it started with"),
    ("tokenizer", "whitespace", "a resumed run trains on the ids it started with"),
    ("member", "other.txt", "a resumed run trains on the ids it started with"),
    ("seed", 3, "it only shapes a new run's initial weights"),
    ("init", "orthogonal", "it only shapes a new run's initial weights"),
    ("schedule", "plateau", "the run's checkpoint holds what it needs and no more"),
    ("weight_drop", 0.5, "the run's checkpoint holds what it needs and no more"),
])
def test_an_option_that_may_not_change_is_refused_by_name_with_the_reason(name, value, reason):
    with pytest.raises(UsageProblem) as refused:
        apply_options(SAVED, {name: value, "lr": 1.0})
    flag = "--" + name.replace("_", "-")
    assert f"{flag} {value} differs from the run's {getattr(SAVED, name)} ({reason})" in str(refused.value)


def test_a_flag_is_named_as_the_command_line_writes_it():
    with pytest.raises(UsageProblem) as refused:
        apply_options(SAVED, {"layer_norm": True})
    assert "--layer-norm differs from the run's --no-layer-norm (a resumed run keeps its architecture)" in str(
        refused.value)
    resumption = apply_options(SAVED, {"variational_dropout": True, "lr": 1.0})
    assert applied_text(resumption.changed) == "applied: --variational-dropout, --lr 10.0 -> 1.0"


def test_every_refused_option_is_named_at_once():
    with pytest.raises(UsageProblem) as refused:
        apply_options(SAVED, {"hidden": 8, "seed": 1})
    assert "--hidden 8" in str(refused.value) and "--seed 1" in str(refused.value)


def test_a_relative_path_to_the_saved_corpus_is_the_same_corpus(tmp_path, monkeypatch):
    corpus = tmp_path / "text.txt"
    corpus.write_text("abc")
    monkeypatch.chdir(tmp_path)
    saved = dataclasses.replace(SAVED, corpus=str(corpus))
    assert apply_options(saved, {"corpus": "text.txt"}).changed == {}
    with pytest.raises(UsageProblem, match="--corpus other.txt differs"):
        apply_options(saved, {"corpus": "other.txt"})


def test_each_resume_is_appended_to_the_history():
    first = record(apply_options(SAVED, {"lr": 1.0}), step=700)
    second = record(apply_options(first, {"steps": 9000}), step=7001)
    assert second.resumes == [{"step": 700, "changed": {"lr": [10.0, 1.0]}},
                              {"step": 7001, "changed": {"steps": [7001, 9000]}}]


def test_a_word_level_run_saved_before_tokenizers_keeps_splitting_on_whitespace():
    saved = json.loads(TrainConfig(level="word").to_json())
    del saved["tokenizer"]
    assert TrainConfig.from_json(json.dumps(saved)).tokenizer == "whitespace"
    assert TrainConfig.from_json(TrainConfig(level="word", tokenizer="words").to_json()).tokenizer == "words"


def test_dropout_cannot_be_switched_on_for_a_run_trained_without_it():
    with pytest.raises(UsageProblem, match="--dropout 0.2 on a run trained without dropout"):
        apply_options(dataclasses.replace(SAVED, dropout=0.0), {"dropout": 0.2})
    with pytest.raises(UsageProblem, match="--input-dropout 0.1 on a run trained without dropout"):
        apply_options(dataclasses.replace(SAVED, dropout=0.0), {"input_dropout": 0.1})
    dropped = dataclasses.replace(SAVED, dropout=0.3)
    assert apply_options(dropped, {"dropout": 0.1}).config.dropout == 0.1
    assert apply_options(dropped, {"dropout": 0.0}).config.dropout == 0.0
    assert apply_options(dropped, {"input_dropout": 0.2}).config.input_dropout == 0.2


def test_the_weight_average_cannot_be_switched_on_or_off():
    with pytest.raises(UsageProblem, match=r"--average-weights 0.0 on a run trained with --average-weights 0.99 "
                                           r"\(its checkpoint's model is the average\)"):
        apply_options(SAVED, {"average_weights": 0.0})
    with pytest.raises(UsageProblem, match=r"--average-weights 0.9 on a run trained without a weight average"):
        apply_options(dataclasses.replace(SAVED, average_weights=0.0), {"average_weights": 0.9})


def test_dropout_may_be_switched_on_where_the_run_draws_masks_already():
    """The checkpoint holds the stack's generator when any of its masks was drawn, the first layer's alone too."""
    input_only = dataclasses.replace(SAVED, dropout=0.0, input_dropout=0.2)
    assert apply_options(input_only, {"dropout": 0.3}).config.dropout == 0.3
    state_only = dataclasses.replace(SAVED, dropout=0.0, state_dropout=0.2)
    assert apply_options(state_only, {"input_dropout": 0.3}).config.input_dropout == 0.3
