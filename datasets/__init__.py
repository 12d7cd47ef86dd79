"""The catalog of known corpora (catalog.json), shipped with the package as ``rnncli.datasets``."""
