"""Sampling text from a model: the whole generation loop runs inside one graph call.

Each step draws ``s_{t+1} ~ softmax(ℓ_t)`` from the logits ``ℓ_t = logits_t / T`` (temperature ``T``; ``T = 0``
takes the argmax) restricted to a candidate set ``C`` (``ℓ = -∞`` outside it), with stateless random draws seeded
by ``(seed, t)``, so the same seed gives the same text. With the symbols ranked by ``ℓ`` (ties broken by id),
``C`` is the first ``min(k, n_p)`` of them: ``k`` for ``--top-k`` (all when 0), and ``n_p`` for ``--top-p``
(nucleus sampling, Holtzman et al. 2020), the fewest whose probabilities sum to at least ``p`` (all when 1).
"""

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnncli.data.text import normalize_text
from rnncli.errors import UsageProblem
from rnncli.restore import load_trained
from rnncli.tensorflow_quiet import tf


@dataclass(frozen=True)
class Drawing:
    """How each symbol is drawn: ``temperature`` (0: the most likely), ``top_k`` (0: all), ``top_p`` (1: all) and
    a ``banned`` id that is never drawn (``--no-unk``: the id of ``<unk>``; -1: none)."""

    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    banned: int = -1


def candidates(logits, top_k, top_p):
    """``logits`` ``[B, V]`` with ``-∞`` outside each row's candidate set (see the module docstring): the first
    ``min(k, n_p)`` symbols by rank, ``top_k = 0`` and ``top_p = 1`` leaving every symbol in."""
    vocab = tf.shape(logits)[-1]
    order = tf.argsort(logits, axis=-1, direction="DESCENDING", stable=True)
    rank = tf.argsort(order, axis=-1, stable=True)  # each symbol's place in the ranking
    sorted_logits = tf.gather(logits, order, batch_dims=1)
    mass_before = tf.cumsum(tf.nn.softmax(sorted_logits), axis=-1, exclusive=True)
    nucleus = tf.reduce_sum(tf.cast(mass_before < top_p, tf.int32), axis=-1, keepdims=True)  # n_p >= 1
    kept = tf.minimum(tf.where(top_k > 0, tf.minimum(top_k, vocab), vocab), tf.maximum(nucleus, 1))
    return tf.where(rank < kept, logits, tf.fill(tf.shape(logits), -float("inf")))


class Sampler:
    """Continues texts with a model; ``continue_ids`` is one graph call (the generation loop compiled with XLA),
    which ``rnncli export`` saves into the SavedModel's ``sample`` signature."""

    def __init__(self, model, jit_compile=True):
        self.model = model

        def prime(ids, states):
            """The states after reading ``ids`` ``[P, B]`` one step at a time."""
            return tf.while_loop(lambda t, _: t < tf.shape(ids)[0],
                                 lambda t, states: (t + 1, model.step(ids[t], states)[1]), (0, states))[1]

        @tf.function(jit_compile=jit_compile)
        def generate(first_ids, states, length, temperature, top_k, top_p, banned, seed):
            def body(t, ids, states, generated):
                logits, states = model.step(ids, states)
                logits = tf.where(tf.range(tf.shape(logits)[-1]) == banned, -float("inf"), logits)
                greedy = tf.argmax(logits, axis=-1, output_type=tf.int32)
                drawn = tf.random.stateless_categorical(
                    candidates(logits / tf.maximum(temperature, 1e-6), top_k, top_p), 1, seed=tf.stack([seed, t]),
                    dtype=tf.int32)[:, 0]
                ids = tf.where(temperature > 0.0, drawn, greedy)
                return t + 1, ids, states, generated.write(t, ids)

            generated = tf.TensorArray(tf.int32, size=length, element_shape=tf.TensorShape([None]))
            _, _, _, generated = tf.while_loop(
                lambda t, *_: t < length, body, (tf.constant(0), first_ids, states, generated),
                maximum_iterations=length,
            )
            return tf.transpose(generated.stack())

        scalar = tf.TensorSpec([], tf.int32)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32), scalar, scalar, tf.TensorSpec([], tf.float32),
                                      scalar, tf.TensorSpec([], tf.float32), scalar, scalar])
        def continue_ids(prime_ids, rows, length, temperature, top_k, top_p, banned, seed):
            """``[rows, length]`` ids continuing ``prime_ids`` ``[P]``; for ``P = 0`` the first id is drawn
            uniformly (never ``banned``) and counts towards ``length``."""
            states = model.initial_states(rows)
            if tf.size(prime_ids) == 0:
                first = tf.random.stateless_uniform([rows], tf.stack([seed, -1]), 0, model.vocab_size, tf.int32)
                first = tf.where(first == banned, (banned + 1) % model.vocab_size, first)
                return tf.concat([first[:, None], generate(first, states, length - 1, temperature, top_k, top_p,
                                                           banned, seed)], axis=1)
            prime = tf.tile(prime_ids[:, None], [1, rows])
            return generate(prime[-1], prime_states(prime[:-1], states), length, temperature, top_k, top_p, banned,
                            seed)

        prime_states = prime
        self.continue_ids = continue_ids

    def sample(self, prime_ids, length, num_samples=1, seed=0, drawing=Drawing()):
        """``[num_samples, length]`` ids that continue ``prime_ids`` (a random first id when it is empty), each
        drawn as ``drawing`` says."""
        return self.continue_ids(
            tf.constant(np.asarray(prime_ids, dtype=np.int32).reshape(-1)), tf.constant(num_samples),
            tf.constant(length), tf.constant(float(drawing.temperature)), tf.constant(int(drawing.top_k)),
            tf.constant(float(drawing.top_p)), tf.constant(int(drawing.banned)), tf.constant(int(seed))).numpy()


def sample_run(run_dir, length, drawing=Drawing(), prime="", prime_file=None, num_samples=1, seed=0,
               checkpoint="latest", no_unk=False):
    """``num_samples`` texts from the run in ``run_dir`` at ``checkpoint``, each the prime (``prime``, or the
    UTF-8 text of ``prime_file``) followed by ``length`` generated symbols, drawn as ``drawing`` says and, with
    ``no_unk``, never ``<unk>``."""
    if prime_file:
        try:
            prime = Path(prime_file).read_text(encoding="utf-8")
        except UnicodeDecodeError as problem:
            raise UsageProblem(f"--prime-file {prime_file} is not UTF-8 text ({problem.reason} at byte "
                               f"{problem.start})") from None
        except OSError as problem:
            raise UsageProblem(f"--prime-file {prime_file}: {problem.strerror}") from None
    _, config, vocabulary, model = load_trained(run_dir, checkpoint)
    if no_unk and vocabulary.has_unknown:
        drawing = dataclasses.replace(drawing, banned=vocabulary.marker)
    prime = normalize_text(prime, config.normalize)
    unknown = vocabulary.unknown_symbols(prime)
    if unknown:
        separator = "" if vocabulary.level == "char" else " "
        raise UsageProblem(f"--prime has {vocabulary.unit}s outside the run's vocabulary: "
                           f"{separator.join(unknown)!r}")
    prime_ids, _ = vocabulary.encode(prime)
    ids = Sampler(model).sample(prime_ids, length, num_samples, seed, drawing)
    return [vocabulary.decode(np.concatenate([prime_ids, row])) for row in ids]
