"""The names ``--init`` takes, without NumPy (the command line lists them before it loads);
``rnncli.cells.initializers`` draws each scheme."""

SCHEMES = ("uniform", "truncated-normal", "uniform-unit", "glorot", "orthogonal", "identity")
