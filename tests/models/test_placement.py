"""--layer-devices: each layer on its GPU, or on the CPU with one warning where that GPU is missing."""

import warnings

import numpy as np
import pytest

from rnncli.cells.initializers import WeightInit
from rnncli.models import placement
from rnncli.models.char_lm import CharLanguageModel
from rnncli.models.stack_options import StackOptions
from rnncli.tensorflow_quiet import tf
from tests.devices import pretend_gpus


def test_a_missing_gpu_falls_back_to_the_cpu_with_one_warning(monkeypatch):
    pretend_gpus(monkeypatch, 1)
    with pytest.warns(RuntimeWarning) as warned:
        devices = placement.layer_devices([0, 0, 1, 1, 2])
    assert devices == ["/GPU:0", "/GPU:0", "/CPU:0", "/CPU:0", "/CPU:0"]
    assert len(warned) == 1
    assert "1 GPU(s) and no GPU:1, GPU:2" in str(warned[0].message)


def test_existing_gpus_give_no_warning(monkeypatch):
    pretend_gpus(monkeypatch, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert placement.layer_devices([1, 0]) == ["/GPU:1", "/GPU:0"]


def test_a_model_placed_on_absent_gpus_builds_on_the_cpu_and_runs(monkeypatch):
    pretend_gpus(monkeypatch, 0)
    with pytest.warns(RuntimeWarning, match="no GPU:0, GPU:1") as warned:
        model = CharLanguageModel(7, "lstm", 4, layers=2, init=WeightInit("glorot", seed=0),
                                  stack_options=StackOptions(layer_devices=(0, 1)))
    assert len(warned) == 1
    assert all(v.device.endswith("CPU:0") for cell in model.stack.cells for v in cell.trainable_variables)
    logits, _ = model(tf.constant(np.zeros((3, 2), np.int32)), model.initial_states(2))
    assert logits.shape == (3, 2, 7) and logits.device.endswith("CPU:0")
