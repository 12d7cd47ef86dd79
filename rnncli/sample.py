"""Sampling text from a model: the generation loop runs inside graph calls of ``CHUNK`` symbols each.

Each step draws ``s_{t+1} ~ softmax(ℓ_t)`` from the logits ``ℓ_t = logits_t / T`` (temperature ``T``; ``T = 0``
takes the argmax) restricted to a candidate set ``C`` (``ℓ = -∞`` outside it), with stateless random draws seeded
by ``(seed, t)``, ``t`` counted over the whole sample, so the same seed gives the same text however it is cut
into calls (``rnncli export`` saves the whole loop as one). With the symbols ranked by ``ℓ`` (ties broken by id),
``C`` is the first ``min(k, n_p)`` of them: ``k`` for ``--top-k`` (all when 0), and ``n_p`` for ``--top-p``
(nucleus sampling, Holtzman et al. 2020), the fewest whose probabilities sum to at least ``p`` (all when 1).
Between calls a signal can stop a long sample, which then ends with the text generated so far.
"""

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnncli.data.text import normalize_text
from rnncli.errors import UsageProblem
from rnncli.memory import check_fits
from rnncli.restore import load_trained
from rnncli.stop_signals import StopRequested
from rnncli.tensorflow_quiet import tf

#: Symbols generated per graph call: long enough to keep the loop in the graph, short enough (well under a
#: second) that Ctrl-C is answered promptly.
CHUNK = 4096
#: Memory per generated symbol: its id in the graph and in NumPy (4 + 4 bytes), a list entry while decoding
#: (8), its character in the text (up to 4), with room for a copy of each.
BYTES_PER_SYMBOL = 40

_SCALAR = tf.TensorSpec([], tf.int32)
_FLOAT = tf.TensorSpec([], tf.float32)


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
    ``min(k, n_p)`` symbols by rank, ``top_k = 0`` and ``top_p = 1`` leaving every symbol in. Those two skip the
    ranking: its two sorts per step halved XLA's generation speed at batch 64."""
    return tf.cond(tf.logical_or(top_k > 0, top_p < 1.0), lambda: ranked_candidates(logits, top_k, top_p),
                   lambda: logits)


def ranked_candidates(logits, top_k, top_p):
    """``candidates`` by ranking every row's symbols."""
    vocab = tf.shape(logits)[-1]
    order = tf.argsort(logits, axis=-1, direction="DESCENDING", stable=True)
    rank = tf.argsort(order, axis=-1, stable=True)  # each symbol's place in the ranking
    sorted_logits = tf.gather(logits, order, batch_dims=1)
    mass_before = tf.cumsum(tf.nn.softmax(sorted_logits), axis=-1, exclusive=True)
    nucleus = tf.reduce_sum(tf.cast(mass_before < top_p, tf.int32), axis=-1, keepdims=True)  # n_p >= 1
    kept = tf.minimum(tf.where(top_k > 0, tf.minimum(top_k, vocab), vocab), tf.maximum(nucleus, 1))
    return tf.where(rank < kept, logits, tf.fill(tf.shape(logits), -float("inf")))


class Sampler:
    """Continues texts with a model: ``begin`` reads the prime, ``generate`` draws (compiled with XLA);
    ``continue_ids`` is both in one graph call, which ``rnncli export`` saves as its ``sample`` signature, and
    ``chunks`` the same draws a ``CHUNK`` at a time."""

    def __init__(self, model, jit_compile=True):
        self.model = model

        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32), _SCALAR, _SCALAR, _SCALAR])
        def begin(prime_ids, rows, banned, seed):
            """``(first ids [rows], states, prefix [rows, 0 or 1])``: the states after reading all of ``prime_ids``
            but its last id, which comes first; for an empty prime the first id is drawn uniformly (never
            ``banned``) and is the prefix, the one symbol of the sample it takes."""
            states = model.initial_states(rows)
            if tf.size(prime_ids) == 0:
                first = tf.random.stateless_uniform([rows], tf.stack([seed, -1]), 0, model.vocab_size, tf.int32)
                first = tf.where(first == banned, (banned + 1) % model.vocab_size, first)
                return first, states, first[:, None]
            prime = tf.tile(prime_ids[:, None], [1, rows])
            states = tf.while_loop(lambda t, _: t < tf.shape(prime)[0] - 1,
                                   lambda t, states: (t + 1, model.step(prime[t], states)[1]), (0, states))[1]
            return prime[-1], states, tf.zeros([rows, 0], tf.int32)

        @tf.function(jit_compile=jit_compile)
        def generate(first_ids, states, length, temperature, top_k, top_p, banned, seed, offset):
            """``length`` symbols after ``first_ids``, the first of them at position ``offset`` of the sample:
            ``(ids [B, length], last ids, states)``."""
            def body(t, ids, states, generated):
                logits, states = model.step(ids, states)
                logits = tf.where(tf.range(tf.shape(logits)[-1]) == banned, -float("inf"), logits)
                greedy = tf.argmax(logits, axis=-1, output_type=tf.int32)
                drawn = tf.random.stateless_categorical(
                    candidates(logits / tf.maximum(temperature, 1e-6), top_k, top_p), 1,
                    seed=tf.stack([seed, offset + t]), dtype=tf.int32)[:, 0]
                ids = tf.where(temperature > 0.0, drawn, greedy)
                return t + 1, ids, states, generated.write(t, ids)

            generated = tf.TensorArray(tf.int32, size=length, element_shape=tf.TensorShape([None]))
            _, ids, states, generated = tf.while_loop(
                lambda t, *_: t < length, body, (tf.constant(0), first_ids, states, generated),
                maximum_iterations=length,
            )
            return tf.transpose(generated.stack()), ids, states

        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32), _SCALAR, _SCALAR, _FLOAT, _SCALAR, _FLOAT,
                                      _SCALAR, _SCALAR])
        def continue_ids(prime_ids, rows, length, temperature, top_k, top_p, banned, seed):
            """``[rows, length]`` ids continuing ``prime_ids`` ``[P]``, in one call."""
            first, states, prefix = begin(prime_ids, rows, banned, seed)
            generated, _, _ = generate(first, states, length - tf.shape(prefix)[1], temperature, top_k, top_p,
                                       banned, seed, 0)
            return tf.concat([prefix, generated], axis=1)

        self._begin = begin
        self._generate = generate
        self.continue_ids = continue_ids

    def sample(self, prime_ids, length, num_samples=1, seed=0, drawing=Drawing()):
        """``[num_samples, length]`` ids that continue ``prime_ids`` (a random first id when it is empty), each
        drawn as ``drawing`` says."""
        return np.concatenate(list(self.chunks(prime_ids, length, num_samples, seed, drawing)), axis=1)

    def chunks(self, prime_ids, length, num_samples=1, seed=0, drawing=Drawing()):
        """``sample``'s ids as they are generated: arrays ``[num_samples, k]`` of at most ``CHUNK`` columns."""
        banned, seed = tf.constant(int(drawing.banned)), tf.constant(int(seed))
        first, states, prefix = self._begin(tf.constant(np.asarray(prime_ids, dtype=np.int32).reshape(-1)),
                                            tf.constant(num_samples), banned, seed)
        yield prefix.numpy()
        settings = (tf.constant(float(drawing.temperature)), tf.constant(int(drawing.top_k)),
                    tf.constant(float(drawing.top_p)), banned, seed)
        for offset in range(0, length - prefix.shape[1], CHUNK):
            size = min(CHUNK, length - prefix.shape[1] - offset)
            generated, first, states = self._generate(first, states, tf.constant(size), *settings,
                                                      tf.constant(offset))
            yield generated.numpy()


def sample_run(run_dir, length, drawing=Drawing(), prime="", prime_file=None, num_samples=1, seed=0,
               checkpoint="latest", no_unk=False):
    """``num_samples`` texts from the run in ``run_dir`` at ``checkpoint``, each the prime (``prime``, or the
    UTF-8 text of ``prime_file``) followed by ``length`` generated symbols, drawn as ``drawing`` says and, with
    ``no_unk``, never ``<unk>``. Refused before anything is allocated when they would not fit in memory. Stopped
    by a signal, it raises ``StopRequested`` carrying the text so far."""
    check_fits(num_samples * length * BYTES_PER_SYMBOL, f"--length {length:,} with --num-samples {num_samples:,}")
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
    pieces = [np.tile(np.asarray(prime_ids, dtype=np.int32), (num_samples, 1))]

    def texts():
        return [vocabulary.decode(row) for row in np.concatenate(pieces, axis=1)]

    try:
        for piece in Sampler(model).chunks(prime_ids, length, num_samples, seed, drawing):
            pieces.append(piece)
    except (KeyboardInterrupt, StopRequested) as stop:
        raise StopRequested.carrying(stop, "\n".join(texts())) from None
    return texts()
