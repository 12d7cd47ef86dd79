"""A trained run as a TensorFlow SavedModel that a program loads with ``tf.saved_model.load`` alone.

The SavedModel carries the weights, the vocabulary (a lookup table from symbol to id and the list of symbols)
and the run's normalisation, and has two signatures:

- ``score(text)``: ``{"log_probs": [N - 1]}``, the natural log-probability of each symbol after the first, the
  state carried across the whole text (``exp(-mean)`` is ``rnncli eval``'s perplexity of a text short enough
  for one evaluation stream, 2 x 2000 symbols; a longer text is scored as one stream, where ``eval`` splits it);
- ``sample(prime, length, temperature, top_k, top_p, seed)``: ``{"text": string}``, the normalised prime and
  ``length`` generated symbols, drawn by the same graph as ``rnncli sample`` (``rnncli.sample.Sampler``), so the
  same seed gives the same text.

Symbols outside the vocabulary become ``<unk>`` when the run has it, else they are left out (as ``eval`` does).
Character-level runs only: a word-level run's tokenizer is Python code that the graph does not carry.
"""

from rnncli.errors import UsageProblem
from rnncli.restore import load_trained
from rnncli.sample import Sampler
from rnncli.tensorflow_quiet import tf

#: ``--normalize text8`` as a graph: lowercase, then every run of non-letters a single space.
TEXT8_PATTERN = "[^a-z]+"


class ExportedModel(tf.Module):
    def __init__(self, model, vocabulary, normalize):
        super().__init__()
        self.model = model
        self.sampler = Sampler(model)
        self.normalize = normalize
        self.symbols = tf.constant(vocabulary.symbols)
        self.unknown_id = vocabulary.marker if vocabulary.has_unknown else -1
        self.table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(tf.constant(vocabulary.known), tf.range(len(vocabulary.known))), -1)

    def encode(self, text):
        """The ids of the symbols of ``text`` after the run's normalisation."""
        if self.normalize in ("lower", "text8"):
            text = tf.strings.lower(text, encoding="utf-8")
        if self.normalize == "text8":
            text = tf.strings.regex_replace(text, TEXT8_PATTERN, " ")
        ids = self.table.lookup(tf.strings.unicode_split(text, "UTF-8"))
        if self.unknown_id >= 0:
            return tf.where(ids < 0, self.unknown_id, ids)
        return tf.boolean_mask(ids, ids >= 0)

    @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
    def score(self, text):
        ids = self.encode(text)

        def body(t, states, log_probs):
            logits, states = self.model.step(ids[t][None], states)
            return t + 1, states, log_probs.write(t, tf.nn.log_softmax(logits)[0, ids[t + 1]])

        steps = tf.maximum(tf.size(ids) - 1, 0)
        _, _, log_probs = tf.while_loop(lambda t, *_: t < steps, body,
                                        (0, self.model.initial_states(1), tf.TensorArray(tf.float32, size=steps)))
        return {"log_probs": log_probs.stack()}

    @tf.function(input_signature=[tf.TensorSpec([], tf.string), tf.TensorSpec([], tf.int32),
                                  tf.TensorSpec([], tf.float32), tf.TensorSpec([], tf.int32),
                                  tf.TensorSpec([], tf.float32), tf.TensorSpec([], tf.int32)])
    def sample(self, prime, length, temperature, top_k, top_p, seed):
        prime_ids = self.encode(prime)
        generated = self.sampler.continue_ids(prime_ids, 1, length, temperature, top_k, top_p, -1, seed)[0]
        return {"text": tf.strings.reduce_join(tf.gather(self.symbols, tf.concat([prime_ids, generated], 0)))}


def export_run(run_dir, out, checkpoint="latest"):
    """Write the run in ``run_dir`` at ``checkpoint`` as a SavedModel in the new folder ``out``; returns what was
    exported (its checkpoint, vocabulary size and signatures)."""
    _, config, vocabulary, model = load_trained(run_dir, checkpoint)
    if vocabulary.level != "char":
        raise UsageProblem(f"{run_dir} is a word-level run; rnncli export writes character-level runs only")
    if tf.io.gfile.exists(str(out)):
        raise UsageProblem(f"{out} already exists; choose a new folder")
    exported = ExportedModel(model, vocabulary, config.normalize)
    tf.saved_model.save(exported, str(out), signatures={"score": exported.score, "sample": exported.sample})
    return {"export": str(out), "checkpoint": checkpoint, "vocab_size": len(vocabulary),
            "signatures": ["score", "sample"]}
