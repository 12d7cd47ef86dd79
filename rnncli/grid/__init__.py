"""The random-diagonal grid task (seed 001) and the models compared on it.

Modules: ``task`` (the data generator), ``metrics`` (losses and hit rate), ``md_lstm`` (the 2D cells),
``scan`` (wavefront and per-cell traversal of a grid), ``models`` (MD-LSTM, horizontal and snake LSTMs with
sigmoid heads), ``config``, ``train`` (the loop), ``run_files`` (what a run writes) and ``report``
(table and plots). This module and ``config`` import no TensorFlow, so the command line can list choices
before TensorFlow loads.
"""
