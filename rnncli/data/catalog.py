"""Known corpora (``datasets/catalog.json``) and the folder they are cached in."""

import json
import os
from importlib import resources
from pathlib import Path

import platformdirs


def load_catalog():
    """``{name: entry}`` of every known corpus."""
    return json.loads(resources.files("rnncli.datasets").joinpath("catalog.json").read_text())


def data_dir(override=None):
    """``--data-dir``, else ``$RNNCLI_DATA_DIR``, else the platform's cache folder for rnncli."""
    chosen = override or os.environ.get("RNNCLI_DATA_DIR") or platformdirs.user_cache_dir("rnncli")
    return Path(chosen)
