"""rnncli: recurrent networks written as their equations, trained from the command line."""

__version__ = "0.1.0"
