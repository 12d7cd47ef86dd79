"""Tests that depend on the GPUs TensorFlow sees run on any machine by pretending a number of them."""

from rnncli.tensorflow_quiet import tf


def pretend_gpus(monkeypatch, count):
    """Make ``tf.config.list_physical_devices("GPU")`` list ``count`` GPUs (other kinds as they are)."""
    real = tf.config.list_physical_devices

    def listed(kind=None):
        if kind == "GPU":
            return [tf.config.PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in range(count)]
        return real(kind)

    monkeypatch.setattr(tf.config, "list_physical_devices", listed)
