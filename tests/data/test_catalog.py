"""The files shipped in ``rnncli.datasets`` (the catalog, tinyshakespeare) are found from a source checkout and
from an installed package alike."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from rnncli.data import catalog

ROOT = Path(__file__).resolve().parents[2]
TINYSHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"

#: Run in a fresh interpreter: where ``rnncli.datasets`` is, and what ``packaged_file`` answers.
FIND_PACKAGED = """
import json
from importlib import resources
from rnncli.data.catalog import load_catalog, packaged_file
entry = load_catalog()["tinyshakespeare"]
print(json.dumps({"resources": str(resources.files("rnncli.datasets").joinpath(entry.packaged)),
                  "packaged": str(packaged_file(entry.packaged)), "sha256": entry.sha256}))
"""


def install_as_setuptools_would(target):
    """Copy the packages that ``pyproject.toml`` declares into ``target`` as an installed wheel lays them out:
    each package's modules, under ``package-dir`` where it is mapped, plus its ``package-data``."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    for package in settings["packages"]:
        source = ROOT / settings.get("package-dir", {}).get(package, package.replace(".", "/"))
        destination = target / package.replace(".", "/")
        destination.mkdir(parents=True)
        for pattern in ["*.py", *settings.get("package-data", {}).get(package, [])]:
            for path in source.glob(pattern):
                shutil.copy(path, destination)


def test_a_source_checkout_reads_the_files_beside_the_package():
    assert catalog.packaged_file("catalog.json") == ROOT / "datasets" / "catalog.json"
    corpus = catalog.packaged_file(catalog.load_catalog()["tinyshakespeare"].packaged)
    assert corpus == ROOT / "datasets" / "tinyshakespeare.txt"
    assert hashlib.sha256(corpus.read_bytes()).hexdigest() == TINYSHAKESPEARE_SHA256


def test_an_installed_package_finds_its_packaged_corpus_through_importlib_resources(tmp_path):
    site = tmp_path / "site-packages"
    install_as_setuptools_would(site)
    environment = {**os.environ, "PYTHONPATH": str(site)}
    found = subprocess.run([sys.executable, "-c", FIND_PACKAGED], cwd=tmp_path, env=environment, check=True,
                           capture_output=True, text=True)
    answer = json.loads(found.stdout)
    installed = site / "rnncli" / "datasets" / "tinyshakespeare.txt"
    assert Path(answer["resources"]) == Path(answer["packaged"]) == installed
    assert answer["sha256"] == TINYSHAKESPEARE_SHA256
    assert hashlib.sha256(installed.read_bytes()).hexdigest() == TINYSHAKESPEARE_SHA256
