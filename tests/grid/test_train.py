"""The diagonal training step: skipped non-finite updates, XLA only on while loops, device choice."""

import keras
import numpy as np
import pytest

from rnncli.errors import UsageProblem
from rnncli.grid.config import DiagonalConfig
from rnncli.grid.task import DiagonalTask
from rnncli.grid.train import build_model, choose_device, make_train_step, xla_wins
from tests.devices import pretend_gpus


def test_a_non_finite_loss_skips_the_update_and_a_finite_one_applies_it():
    config = DiagonalConfig(height=4, width=4, hidden=4)
    model = build_model("md_lstm", config)
    optimizer = keras.optimizers.Adam(0.01)
    optimizer.build(model.trainable_variables)
    step = make_train_step(model, optimizer, "mse", jit_compile=False)
    batch = DiagonalTask(4, 4, batch_size=3).batch(0)
    before = [w.numpy() for w in model.trainable_variables]
    poisoned = batch.inputs.copy()
    poisoned[0, 0, 0] = np.nan
    *_, applied = step(poisoned, batch.targets, batch.second_x).numpy()
    assert applied == 0.0 and int(optimizer.iterations) == 0
    assert all(np.array_equal(w.numpy(), b) for w, b in zip(model.trainable_variables, before))
    overall, *_, applied = step(batch.inputs, batch.targets, batch.second_x).numpy()
    assert applied == 1.0 and np.isfinite(overall) and int(optimizer.iterations) == 1
    assert not all(np.array_equal(w.numpy(), b) for w, b in zip(model.trainable_variables, before))


def test_xla_compiles_only_the_steps_that_run_a_while_loop():
    small, large = DiagonalConfig(height=8, width=8), DiagonalConfig(height=32, width=70)
    assert not xla_wins("md_lstm", small) and not xla_wins("md_lstm", large)
    assert not xla_wins("horizontal_sd_lstm", small) and xla_wins("horizontal_sd_lstm", large)
    assert not xla_wins("snake_sd_lstm", small) and xla_wins("snake_sd_lstm", large)


@pytest.mark.parametrize("gpus, requested, device", [(0, "auto", "/CPU:0"), (0, "cpu", "/CPU:0"),
                                                     (1, "auto", "/GPU:0"), (1, "cpu", "/CPU:0"), (1, "gpu", "/GPU:0"),
                                                     (2, "auto", "/GPU:0")])
def test_the_device_is_the_first_gpu_unless_there_is_none_or_the_cpu_is_asked_for(monkeypatch, gpus, requested,
                                                                                   device):
    pretend_gpus(monkeypatch, gpus)
    assert choose_device(requested) == device


def test_asking_for_a_gpu_where_there_is_none_is_a_usage_error(monkeypatch):
    pretend_gpus(monkeypatch, 0)
    with pytest.raises(UsageProblem, match="sees no GPU"):
        choose_device("gpu")
