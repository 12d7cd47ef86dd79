"""``--steps-per-call``: several training steps in one TensorFlow call give the run of one call per step, with
every log, evaluation, checkpoint, state reset and NaN guard at its step."""

import json

import numpy as np
import pytest

from rnncli.config import TrainConfig
from rnncli.tensorflow_quiet import tf
from rnncli.steps_per_call import CALL_SECONDS, FEWEST_REPEATED, MOST_PER_CALL, StepsPerCall, steps_in_call
from tests.command_line import invoke

TINY = ["--hidden", "16", "--batch-size", "4", "--unroll", "8", "--sample-every", "0"]
#: Everything of a metrics record but the clock's.
TIMING = ("elapsed_s", "chars_per_sec")


@pytest.mark.parametrize("step, limit, options, count", [
    (1, 50, {}, 10),  # up to the log of step 10
    (11, 50, {}, 9),  # up to step 19, after which the checkpoint of step 20 is written
    (11, 3, {}, 3),  # the limit
    (0, 50, {}, 1),  # step 0 logs
    (21, 50, {"eval_every": 22}, 2),  # the evaluation of step 22
    (21, 50, {"sample_every": 23}, 3),  # the samples of step 23
    (1, 50, {"reset_state_every": 7}, 6),  # step 7 starts from a zero state: its own call
    (95, 50, {}, 5),  # the last step, 99
])
def test_a_call_ends_at_the_first_step_after_which_the_loop_acts(step, limit, options, count):
    cadence = {"steps": 100, "log_every": 10, "eval_every": 25, "checkpoint_every": 20, "sample_every": 0}
    config = TrainConfig(**{**cadence, **options})
    assert steps_in_call(step, limit, config) == count


def test_the_steps_per_call_follow_the_step_time_once_a_call_of_each_kind_has_traced():
    assert StepsPerCall(fixed=7).limit() == 7
    auto = StepsPerCall(fixed=0)
    auto.record(1, 3.0)  # the first single step traces
    assert auto.limit() == 1
    auto.record(1, 0.002)
    assert auto.limit() == int(CALL_SECONDS / 0.002)
    auto.record(20, 5.0)  # the first repeated call traces: not timed
    assert auto.limit() == int(CALL_SECONDS / 0.002)
    auto.record(20, 0.02)
    assert auto.limit() == int(CALL_SECONDS / 0.001)
    auto.record(10, 10 * CALL_SECONDS / (FEWEST_REPEATED - 1))  # too slow a step for a call of several
    assert auto.limit() == 1
    auto.record(10, 1e-6)
    assert auto.limit() == MOST_PER_CALL


def test_workers_of_a_cluster_run_one_step_a_call_unless_told_since_their_clocks_differ():
    cluster = StepsPerCall(fixed=0, timed=False)
    for _ in range(3):
        cluster.record(1, 0.001)
    assert cluster.limit() == 1
    assert StepsPerCall(fixed=5, timed=False).limit() == 5


def test_too_many_steps_per_call_are_refused_with_the_range(tmp_path, small_corpus):
    result = invoke("train", "--corpus", small_corpus, "--run-dir", tmp_path / "run", "--steps-per-call",
                    MOST_PER_CALL + 1)
    assert result.exit_code == 2
    assert f"{MOST_PER_CALL + 1} is not in the range 0<=x<={MOST_PER_CALL}" in result.output
    assert not (tmp_path / "run").exists()


def train(folder, corpus, steps_per_call, *options):
    result = invoke("train", "--corpus", corpus, "--run-dir", folder, "--steps-per-call", steps_per_call, *TINY,
                    *options)
    records = [{k: v for k, v in json.loads(line).items() if k not in TIMING}
               for line in (folder / "metrics.jsonl").read_text().splitlines()]
    return result, records


def weights(folder):
    reader = tf.train.load_checkpoint(str(folder / "checkpoints"))
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()
            if name != "_CHECKPOINTABLE_OBJECT_GRAPH"}  # it names the optimiser by the process's count


def test_calls_of_six_steps_train_exactly_as_one_step_per_call(tmp_path, small_corpus):
    options = ["--steps", 37, "--optimizer", "adam", "--lr", 0.01, "--dropout", 0.2, "--variational-dropout",
               "--reset-state-every", 13, "--log-every", 10, "--eval-every", 20, "--checkpoint-every", 15,
               "--average-weights", 0.9]
    (one, reference), (several, records) = (train(tmp_path / f"run{k}", small_corpus, k, *options) for k in (1, 6))
    assert one.exit_code == 0, one.output
    assert several.exit_code == 0, several.output
    assert [r["step"] for r in reference if "loss" in r] == [0, 10, 20, 30, 36]
    assert records == reference
    expected, found = weights(tmp_path / "run1"), weights(tmp_path / "run6")
    assert found.keys() == expected.keys()
    for name, value in expected.items():
        np.testing.assert_array_equal(found[name], value, err_msg=name)


def test_a_non_finite_step_inside_a_call_stops_the_run_at_the_same_step(tmp_path, small_corpus):
    options = ["--steps", 40, "--lr", 1e38, "--clip-norm", 1e30, "--max-bad-steps", 3, "--log-every", 10]
    outputs = {}
    for k in (1, 8):
        result, _ = train(tmp_path / f"run{k}", small_corpus, k, *options)
        assert result.exit_code == 1
        outputs[k] = result.output.splitlines()[-1].replace(f"run{k}", "run")
    assert outputs[8] == outputs[1]
    assert "3 non-finite steps in a row at step" in outputs[1]
