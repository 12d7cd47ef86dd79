"""The options of a stack (``rnncli.models.stack``) and which combinations can apply; no TensorFlow, so the
command line checks them before it loads TensorFlow or writes a run directory."""

from dataclasses import dataclass, fields

from rnncli.cells import AFFINE_RECURRENCE_CELLS, LAYER_NORM_CELLS, lookup
from rnncli.errors import UsageProblem

VERTICAL_MODES = ("none", "hidden", "input", "both")


@dataclass
class StackOptions:
    """How the layers of a stack connect; each field is the ``rnncli train`` option of the same name (the run's
    ``TrainConfig`` extends this class, so the fields are declared here only)."""

    dropout: float = 0.0
    #: None: the first layer's input takes ``dropout``
    input_dropout: float | None = None
    variational_dropout: bool = False
    state_dropout: float = 0.0
    weight_drop: float = 0.0
    layer_norm: bool = False
    vertical: str = "none"
    layer_skip: int = 0
    residual: bool = False
    time_skip: int = 0
    state_averaging: float = 0.0
    layer_devices: tuple[int, ...] | list[int] | None = None

    @property
    def draws_masks(self):
        """Whether the stack draws dropout masks, from a generator that the run's checkpoint then holds."""
        return bool(self.dropout or self.input_dropout or self.state_dropout or self.weight_drop)

    @classmethod
    def from_config(cls, config):
        """The stack options alone of a ``TrainConfig``, devices as a tuple."""
        options = {field.name: getattr(config, field.name) for field in fields(cls)}
        if options["layer_devices"] is not None:
            options["layer_devices"] = tuple(options["layer_devices"])
        return cls(**options)

    def check(self, layers, cell):
        """Raise ``UsageProblem`` for options that cannot apply to a stack of ``layers`` layers of ``cell``."""
        name = lookup(cell).name
        if self.layer_norm and name not in LAYER_NORM_CELLS:
            raise UsageProblem(f"--layer-norm: {cell} has no layer-normalised form; the cells with one are "
                               f"{', '.join(LAYER_NORM_CELLS)}")
        if self.layer_norm and self.time_skip:
            raise UsageProblem("--layer-norm normalises a window's input terms before the time loop, where "
                               "--time-skip adds its own: use one or the other")
        if (self.state_dropout or self.weight_drop) and (name not in AFFINE_RECURRENCE_CELLS or self.layer_norm):
            raise UsageProblem(f"--state-dropout and --weight-drop mask h_t-1 R, so they need a cell whose recurrence "
                               f"is affine ({', '.join(AFFINE_RECURRENCE_CELLS)}) without --layer-norm")
        if self.vertical not in VERTICAL_MODES:
            raise UsageProblem(f"--vertical {self.vertical}: choose one of {', '.join(VERTICAL_MODES)}")
        if self.vertical == "none" and self.layer_skip:
            raise UsageProblem("--layer-skip only applies to vertical connections: add --vertical")
        if self.vertical != "none" and self.layer_skip > layers - 2:
            raise UsageProblem(f"--vertical links layer i to layer i-K-1, so --layer-skip {self.layer_skip} "
                               f"needs --layers {self.layer_skip + 2} or more (there are {layers})")
        if self.residual and layers < 2:
            raise UsageProblem("--residual joins layers of equal width: it needs --layers 2 or more")
        if self.layer_devices is not None and len(self.layer_devices) != layers:
            raise UsageProblem(f"--layer-devices names {len(self.layer_devices)} devices for {layers} layers")
