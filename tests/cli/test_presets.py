"""rnncli train --preset: a recipe fills in the options, options given on the command line win, --help lists
the presets, and a resumed run keeps its own options."""

import dataclasses
import json

import pytest

from rnncli.config import TrainConfig
from rnncli.presets import PRESETS, preset_options, with_preset
from tests.command_line import invoke


def test_the_seed_preset_is_the_defaults():
    assert TrainConfig(**preset_options("seed")) == TrainConfig()


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_names_real_options_that_check(name):
    fields = {field.name for field in dataclasses.fields(TrainConfig)}
    assert set(PRESETS[name].options) <= fields
    TrainConfig(**preset_options(name)).check()


def test_train_help_lists_every_preset_with_its_recipe():
    output = invoke("train", "--help", terminal_width=200).output
    for preset in PRESETS.values():
        assert f"{preset.name}: {preset.description.split()[0]}" in " ".join(output.split())


@pytest.fixture(scope="module")
def preset_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("preset")
    corpus = folder / "corpus.txt"
    corpus.write_text("to be or not to be, that is the question. " * 80, encoding="utf-8")
    result = invoke("train", "--corpus", corpus, "--preset", "cpu-long", "--hidden", 8, "--batch-size", 4,
                    "--unroll", 5, "--steps", 3, "--eval-every", 2, "--valid-size", 300, "--run-dir", folder / "run")
    assert result.exit_code == 0, result.output
    return folder / "run"


def test_a_preset_fills_in_the_options_and_the_command_line_wins(preset_run):
    config = json.loads((preset_run / "config.json").read_text())
    recipe = PRESETS["cpu-long"].options
    given = {"hidden": 8, "batch_size": 4, "unroll": 5, "steps": 3, "eval_every": 2}
    assert config["preset"] == "cpu-long"
    assert {name: config[name] for name in given} == given
    # the tied embedding follows the given --hidden, as test_a_tied_recipe_s_embedding_follows_the_given_width says
    assert {name: config[name] for name in recipe if name not in given} == {
        **{name: value for name, value in recipe.items() if name not in given}, "embedding_size": 8}
    assert recipe["hidden"] != 8 and recipe["steps"] != 3  # the command line did override the recipe


def test_a_tied_recipe_s_embedding_follows_the_given_width():
    assert PRESETS["cpu-long"].options["tie_weights"]
    assert with_preset("cpu-long", {"hidden": 512})["embedding_size"] == 512
    assert with_preset("cpu-long", {"hidden": 512, "embedding_size": 128})["embedding_size"] == 128  # given wins
    assert with_preset("cpu-long", {})["embedding_size"] == PRESETS["cpu-long"].options["hidden"]
    assert "embedding_size" not in with_preset("cpu-short", {"hidden": 64})  # untied: no embedding appears
    # a tie given on the command line, not by the recipe, still needs its --embedding-size (TrainConfig.check)
    assert "embedding_size" not in with_preset("cpu-short", {"tie_weights": True, "hidden": 64})
    assert "embedding_size" not in with_preset(None, {"tie_weights": True, "hidden": 64})


def test_the_command_line_turns_off_what_a_preset_turns_on(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("to be or not to be, that is the question. " * 80, encoding="utf-8")
    result = invoke("train", "--corpus", corpus, "--preset", "cpu-long", "--no-tie-weights", "--no-variational-dropout",
                    "--hidden", 8, "--embedding-size", 4, "--batch-size", 4, "--unroll", 5, "--steps", 1,
                    "--valid-size", 300, "--run-dir", tmp_path / "run")
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert PRESETS["cpu-long"].options["tie_weights"] and PRESETS["cpu-long"].options["variational_dropout"]
    assert (config["tie_weights"], config["variational_dropout"], config["embedding_size"]) == (False, False, 4)
    untied = with_preset("cpu-long", {"tie_weights": False, "hidden": 8})
    assert untied["embedding_size"] == PRESETS["cpu-long"].options["embedding_size"]  # untied: the recipe's width


def test_a_tied_preset_with_another_embedding_width_is_refused_by_name():
    result = invoke("train", "--preset", "cpu-long", "--hidden", 16, "--embedding-size", 8, "--steps", 1)
    assert result.exit_code == 2
    assert "--tie-weights shares the embedding with the output layer" in result.output
    assert "--embedding-size equal to --hidden 16 (it is 8)" in result.output


def test_a_resumed_run_refuses_a_preset(preset_run):
    result = invoke("train", "--resume", preset_run, "--preset", "seed", "--steps", 5)
    assert result.exit_code == 2
    assert "--preset fills in a new run's options; a resumed run keeps its own" in result.output
