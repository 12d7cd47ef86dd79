"""Choosing a ``tf.distribute`` strategy: one device, several local devices, or several workers.

- ``default``: TensorFlow's default strategy (one replica; the same code path as the others).
- ``mirrored``: ``MirroredStrategy`` over the local GPUs; on a machine without one, over ``replicas``
  logical CPU devices (useful to test data parallelism, or to use several CPU sockets).
- ``multi-worker``: ``MultiWorkerMirroredStrategy`` across processes or machines, configured by ``TF_CONFIG``
  or by ``workers`` (``host:port`` of every worker) and ``task_index`` (this process's place in that list).
  ``TF_CONFIG`` must exist before the strategy is made, which is why ``workers`` writes it here.
"""

import json
import os

from rnncli.errors import UsageProblem
from rnncli.tensorflow_quiet import tf


def make_strategy(kind, replicas=2, workers=None, task_index=0):
    """The strategy named by ``--strategy``; call before anything else touches TensorFlow's devices."""
    if kind == "default":
        return tf.distribute.get_strategy()
    if kind == "mirrored":
        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            return tf.distribute.MirroredStrategy([f"/gpu:{i}" for i in range(len(gpus))])
        cpu = tf.config.list_physical_devices("CPU")[0]
        try:
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * replicas)
        except RuntimeError:
            raise UsageProblem("--strategy mirrored must configure the CPU devices before TensorFlow starts; "
                               "run it in a fresh process") from None
        return tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(replicas)])
    if workers:
        addresses = workers.split(",")
        if not 0 <= task_index < len(addresses):
            raise UsageProblem(f"--task-index {task_index} is outside the {len(addresses)} --workers")
        os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": addresses},
                                              "task": {"type": "worker", "index": task_index}})
    return tf.distribute.MultiWorkerMirroredStrategy()


def is_chief(strategy):
    """Whether this process writes the run's files: worker 0 (or the chief) of a cluster, or a lone process."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or resolver.task_type in (None, "chief"):
        return True
    return resolver.task_type == "worker" and resolver.task_id == 0
