"""What ``pip install .`` puts in the package: every subpackage of the source tree and the data files it reads.

The tests import rnncli from the checkout, so a subpackage missing from ``pyproject.toml`` would pass them and
still be missing from every installed copy (``rnncli.cli`` once was); this compares the two lists."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_subpackage_of_the_source_tree_is_installed():
    settings = project()
    found = {".".join(("rnncli", *init.parent.relative_to(ROOT / "rnncli").parts))
             for init in (ROOT / "rnncli").rglob("__init__.py")}
    found |= {name for name, folder in settings["package-dir"].items() if (ROOT / folder / "__init__.py").exists()}
    assert set(settings["packages"]) == found


def test_the_package_data_globs_match_the_files_the_code_reads():
    data = project()["package-data"]
    assert {"*.json", "*.txt"} <= set(data["rnncli.datasets"])
    assert (ROOT / "datasets" / "tinyshakespeare.txt").is_file() and (ROOT / "datasets" / "catalog.json").is_file()
    for name in data["rnncli.inspect"]:
        assert (ROOT / "rnncli" / "inspect" / name).is_file(), name
