"""Which device each layer of a stack runs on (``--layer-devices``, seed 002's ``gpu_for_layer``)."""

import warnings

from rnncli.tensorflow_quiet import tf

CPU = "/CPU:0"


def layer_devices(gpu_indices):
    """``/GPU:g`` for each layer's GPU index ``g`` among ``tf.config.list_physical_devices("GPU")``; a layer
    whose GPU this machine lacks runs on the CPU, and one warning names every missing GPU."""
    available = len(tf.config.list_physical_devices("GPU"))
    missing = sorted({index for index in gpu_indices if index >= available})
    if missing:
        names = ", ".join(f"GPU:{index}" for index in missing)
        warnings.warn(f"--layer-devices: this machine has {available} GPU(s) and no {names}; "
                      f"the layers placed there run on the CPU", RuntimeWarning, stacklevel=2)
    return [f"/GPU:{index}" if index < available else CPU for index in gpu_indices]
