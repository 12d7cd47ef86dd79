"""``rnncli inspect``: a look inside a trained network, as one HTML page that opens offline.

``recording`` runs the model over a text in a traced function of its own and keeps every layer's states and
gates; ``features`` correlates units with features of the text; ``gates`` counts saturation; ``inspection``
puts them together for a run; ``page`` writes the page (template ``page.html``, script ``page.js``).
"""

#: Characters read by default: the start of the run's validation split.
DEFAULT_LENGTH = 5000
