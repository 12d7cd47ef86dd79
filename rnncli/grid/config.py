"""Every option of a ``rnncli diagonal`` run in one dataclass, saved as ``config.json`` in the run directory."""

import dataclasses
import json
from dataclasses import dataclass, field

MODEL_NAMES = ("md_lstm", "horizontal_sd_lstm", "snake_sd_lstm")
MD_CELLS = ("graves", "stable")
SNAKE_ORDERS = ("raster", "boustrophedon")
LOSSES = ("mse", "bce")
DEVICES = ("auto", "cpu", "gpu")


@dataclass
class DiagonalConfig:
    """Defaults are the seed's (philipperemy/tensorflow-multi-dimensional-lstm ``trainer.py``)."""

    models: list = field(default_factory=lambda: list(MODEL_NAMES))
    height: int = 8
    width: int = 8
    steps: int = 1000
    batch_size: int = 16
    hidden: int = 16
    lr: float = 0.01
    seed: int = 0
    md_cell: str = "graves"
    layer_norm: bool = False
    forget_bias: float = 0.0
    snake_order: str = "raster"
    loss: str = "mse"
    device: str = "auto"
    eval_grids: int = 1024
    log_every: int = 100

    def to_json(self):
        return json.dumps(dataclasses.asdict(self), indent=2)
