"""Sampling text from a model: the generation loop runs inside graph calls of ``CHUNK`` symbols each.

Each step draws ``s_{t+1} ~ softmax(logits_t / T)`` (temperature ``T``; ``T = 0`` takes the argmax),
with stateless random draws seeded by ``(seed, t)``, ``t`` counted over the whole sample, so the same seed
gives the same text however it is cut into calls. Between calls a signal can stop a long sample, which
then ends with the text generated so far.
"""

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


class Sampler:
    def __init__(self, model, jit_compile=True):
        self.model = model

        @tf.function(reduce_retracing=True)
        def prime(ids, states):
            _, states = model(ids, states)
            return states

        @tf.function(jit_compile=jit_compile)
        def generate(first_ids, states, length, temperature, seed, offset):
            """``length`` symbols after ``first_ids``, the first of them at position ``offset`` of the sample:
            ``(ids [B, length], last ids, states)``."""
            def body(t, ids, states, generated):
                logits, states = model.step(ids, states)
                greedy = tf.argmax(logits, axis=-1, output_type=tf.int32)
                drawn = tf.random.stateless_categorical(
                    logits / tf.maximum(temperature, 1e-6), 1, seed=tf.stack([seed, offset + t]), dtype=tf.int32
                )[:, 0]
                ids = tf.where(temperature > 0.0, drawn, greedy)
                return t + 1, ids, states, generated.write(t, ids)

            generated = tf.TensorArray(tf.int32, size=length)
            _, ids, states, generated = tf.while_loop(
                lambda t, *_: t < length, body, (tf.constant(0), first_ids, states, generated),
                maximum_iterations=length,
            )
            return tf.transpose(generated.stack()), ids, states

        self._prime = prime
        self._generate = generate

    def sample(self, prime_ids, length, num_samples=1, temperature=1.0, seed=0):
        """``[num_samples, length]`` ids that continue ``prime_ids`` (a random first id when it is empty)."""
        return np.concatenate(list(self.chunks(prime_ids, length, num_samples, temperature, seed)), axis=1)

    def chunks(self, prime_ids, length, num_samples=1, temperature=1.0, seed=0):
        """``sample``'s ids as they are generated: arrays ``[num_samples, k]`` of at most ``CHUNK`` columns."""
        rng = np.random.default_rng(seed)
        states = self.model.initial_states(num_samples)
        if len(prime_ids) == 0:
            first = rng.integers(0, self.model.vocab_size, num_samples).astype(np.int32)
            prefix = first[:, None]
            length -= 1
        else:
            prime = np.tile(np.asarray(prime_ids, dtype=np.int32)[:, None], (1, num_samples))
            if len(prime_ids) > 1:
                states = self._prime(prime[:-1], states)
            first = prime[-1]
            prefix = np.zeros((num_samples, 0), dtype=np.int32)
        yield prefix
        for offset in range(0, length, CHUNK):
            generated, first, states = self._generate(first, states, tf.constant(min(CHUNK, length - offset)),
                                                      tf.constant(float(temperature)), tf.constant(int(seed), tf.int32),
                                                      tf.constant(offset))
            yield generated.numpy()


def sample_run(run_dir, length, temperature, prime="", prime_file=None, num_samples=1, seed=0):
    """``num_samples`` texts from the run in ``run_dir``, each the prime (``prime``, or the UTF-8 text of
    ``prime_file``) followed by ``length`` generated symbols. Refused before anything is allocated when they
    would not fit in memory. Stopped by a signal, it raises ``StopRequested`` carrying the text so far."""
    check_fits(num_samples * length * BYTES_PER_SYMBOL, f"--length {length:,} with --num-samples {num_samples:,}")
    if prime_file:
        try:
            prime = Path(prime_file).read_text(encoding="utf-8")
        except UnicodeDecodeError as problem:
            raise UsageProblem(f"--prime-file {prime_file} is not UTF-8 text ({problem.reason} at byte "
                               f"{problem.start})") from None
        except OSError as problem:
            raise UsageProblem(f"--prime-file {prime_file}: {problem.strerror}") from None
    _, config, vocabulary, model = load_trained(run_dir)
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
        for piece in Sampler(model).chunks(prime_ids, length, num_samples, temperature, seed):
            pieces.append(piece)
    except (KeyboardInterrupt, StopRequested) as stop:
        raise StopRequested.carrying(stop, "\n".join(texts())) from None
    return texts()
