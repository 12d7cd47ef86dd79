"""What ``rnncli inspect`` shows, computed from a trained model and a text: the recording (surprisal,
predictions, states, gates), the text's features, every unit's correlation with each, and the gates'
saturation. Layers are numbered from 1, units from 0."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnncli.errors import UsageProblem
from rnncli.inspect import DEFAULT_LENGTH
from rnncli.inspect.features import correlations, text_features
from rnncli.inspect.gates import reading, saturation
from rnncli.inspect.recording import record

#: Units listed for each feature.
BEST_UNITS = 5
#: Shown for ``<unk>``, so that every symbol is one character of the text.
UNKNOWN_CHARACTER = "\ufffd"


@dataclass
class Inspection:
    #: Run name, cell, layers, hidden, parameters, checkpoint and the text's source.
    header: dict
    #: The ``N`` characters read.
    text: str
    #: The character of every id (``<unk>`` as ``UNKNOWN_CHARACTER``).
    symbols: list
    #: ``rnncli.inspect.recording.Recording`` over the ``N - 1`` steps.
    recording: object
    #: ``{feature: [N - 1]}``: the features of the characters read at those steps.
    features: dict
    #: ``{feature: [{state: r [H]} per layer]}``.
    correlations: dict
    #: ``[{gate: (left [H], right [H])} per layer]``.
    saturation: list

    def best_units(self, feature, count=BEST_UNITS):
        """The ``count`` units whose activations correlate most strongly (either sign) with ``feature``:
        ``[{"layer", "state", "unit", "r"}]``, strongest first; none for a feature constant in this text."""
        if np.ptp(self.features[feature]) == 0:
            return []
        found = [(layer, state, unit, r)
                 for layer, by_state in enumerate(self.correlations[feature], start=1)
                 for state, values in by_state.items() for unit, r in enumerate(values)]
        found.sort(key=lambda entry: -abs(entry[3]))
        return [{"layer": layer, "state": state, "unit": unit, "r": float(r)} for layer, state, unit, r in
                found[:count]]

    def gate_readings(self):
        """``[{gate: one line}]`` per layer (see ``rnncli.inspect.gates.reading``)."""
        return [{gate: reading(gate, *fractions) for gate, fractions in by_gate.items()}
                for by_gate in self.saturation]

    def summary(self):
        """The numbers of the page for scripts (``--json``): surprisal of characters 1..N-1, every unit's
        correlation with every feature, every gate unit's saturation fractions."""
        return {
            **self.header,
            "characters": len(self.text),
            "bpc": self.recording.bpc,
            "surprisal": self.recording.surprisal.tolist(),
            "best_units": {feature: self.best_units(feature) for feature in self.features},
            "per_layer": [{
                "layer": layer,
                "correlations": {feature: {state: r.tolist() for state, r in by_layer[layer - 1].items()}
                                 for feature, by_layer in self.correlations.items()},
                "saturation": {gate: {"left": left.tolist(), "right": right.tolist()}
                               for gate, (left, right) in by_gate.items()},
            } for layer, by_gate in enumerate(self.saturation, start=1)],
        }


def inspect_model(model, vocabulary, ids, rows, header):
    """The ``Inspection`` of ``model`` over the character ids ``ids`` read as up to ``rows`` streams."""
    symbols = list(vocabulary.known) + [UNKNOWN_CHARACTER] * vocabulary.has_unknown
    text = "".join(symbols[i] for i in ids)
    recording = record(model, ids, rows)
    steps = len(ids) - 1
    features = {name: values[:steps] for name, values in text_features(text).items()}
    return Inspection(
        header=header, text=text, symbols=symbols, recording=recording, features=features,
        correlations={name: [{state: correlations(values, feature) for state, values in layer.states.items()}
                             for layer in recording.layers] for name, feature in features.items()},
        saturation=[{gate: saturation(values) for gate, values in layer.gates.items()}
                    for layer in recording.layers])


def checkpoint_label(run, checkpoint):
    """``step N`` for the checkpoint ``--checkpoint`` names (``ckpt-N``: the model after N steps), ``(best)`` added
    for the best one."""
    steps = Path(run.checkpoint_path(checkpoint)).name.removeprefix("ckpt-")
    return f"step {steps}" + (" (best)" if checkpoint == "best" else "")


def inspect_run(run_dir, corpus=None, length=DEFAULT_LENGTH, checkpoint="latest", data_dir=None, encoding=None,
                normalize=None, console=None):
    """The ``Inspection`` of a trained run over the first ``length`` characters of ``--corpus`` (read as
    ``rnncli eval`` reads it), or of the run's validation split when ``corpus`` is None."""
    from rnncli.evaluate import text_ids
    from rnncli.restore import load_trained

    run, config, vocabulary, model = load_trained(run_dir, checkpoint)
    if vocabulary.level != "char":
        raise UsageProblem(f"{run.path} models words; rnncli inspect reads character models")
    ids, _, source = text_ids(run, config, vocabulary, corpus, data_dir, encoding, normalize, console)
    header = {"run": run.path.resolve().name, "cell": config.cell, "layers": config.layers, "hidden": config.hidden,
              "parameters": model.parameter_count, "checkpoint": checkpoint_label(run, checkpoint), "source": source}
    return inspect_model(model, vocabulary, ids[:length], config.eval_batch_size, header)
