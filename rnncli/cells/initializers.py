"""Weight initialisers, drawn with NumPy from one seeded generator so a run's weights are reproducible.

Schemes (``--init``):
- ``uniform``: every tensor, biases and peepholes included, ~ U(-0.1, 0.1) (the RecurrentArchitectures seed).
- ``truncated-normal``: matrices ~ N(mean -0.1, std 0.1) truncated at two standard deviations, vectors 0
  (the Udacity notebook's positional-argument slip, kept so its runs can be reproduced).
- ``uniform-unit``: U(-sqrt(3 / fan_in), +sqrt(3 / fan_in)), vectors 0 (TensorFlow 0.x uniform_unit_scaling).
- ``glorot``: U(-sqrt(6 / (fan_in + fan_out)), +...), vectors 0 (Glorot and Bengio 2010).
- ``orthogonal``: scale * the orthogonal factor of the SVD of a Gaussian matrix (Saxe et al. 2013), vectors 0.
- ``identity``: recurrent matrices = I (Le et al. 2015, the IRNN), input matrices glorot, vectors 0.
"""

from dataclasses import dataclass, field

import numpy as np

from rnncli.cells.init_schemes import SCHEMES


@dataclass
class WeightInit:
    """Draws the initial value of every weight of a model (cells, embedding, softmax) for one ``--init`` scheme."""

    scheme: str = "uniform"
    seed: int = 0
    orthogonal_scale: float = 1.1
    rng: np.random.Generator = field(init=False, repr=False)

    def __post_init__(self):
        if self.scheme not in SCHEMES:
            raise ValueError(f"unknown init scheme {self.scheme!r}; choose from {', '.join(SCHEMES)}")
        self.rng = np.random.default_rng(self.seed)

    def matrix(self, shape, recurrent=False):
        """An input (``recurrent=False``) or recurrent weight matrix of ``shape`` [fan_in, fan_out]."""
        fan_in, fan_out = shape
        if self.scheme == "uniform":
            return self.rng.uniform(-0.1, 0.1, shape)
        if self.scheme == "truncated-normal":
            return self._truncated_normal(shape, mean=-0.1, std=0.1)
        if self.scheme == "uniform-unit":
            limit = np.sqrt(3.0 / fan_in)
            return self.rng.uniform(-limit, limit, shape)
        if self.scheme == "orthogonal":
            return self.orthogonal_scale * self._orthogonal(shape)
        if self.scheme == "identity" and recurrent and fan_in == fan_out:
            return np.eye(fan_in)
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return self.rng.uniform(-limit, limit, shape)

    def vector(self, size):
        """A bias or peephole vector: U(-0.1, 0.1) under the seed's ``uniform`` scheme, zeros otherwise."""
        if self.scheme == "uniform":
            return self.rng.uniform(-0.1, 0.1, (size,))
        return np.zeros((size,))

    def _truncated_normal(self, shape, mean, std):
        values = self.rng.normal(mean, std, shape)
        outside = np.abs(values - mean) > 2 * std
        while outside.any():
            values[outside] = self.rng.normal(mean, std, outside.sum())
            outside = np.abs(values - mean) > 2 * std
        return values

    def _orthogonal(self, shape):
        gaussian = self.rng.normal(0.0, 1.0, shape)
        u, _, vt = np.linalg.svd(gaussian, full_matrices=False)
        return u if u.shape == tuple(shape) else vt
