"""Known corpora (``datasets/catalog.json``), how each is read by default, and the folder they are cached in.

The catalog records facts only: a byte size or SHA-256 that is not known is ``null``, and the cache records
the SHA-256 of what it downloads (see ``rnncli.data.cache``). A corpus small enough to ship (tinyshakespeare,
1.1 MB) is ``packaged``: rnncli reads its copy in ``rnncli.datasets``, checked against the catalog's SHA-256,
and downloads nothing.
"""

import dataclasses
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import platformdirs

from rnncli.errors import UsageProblem

SPLITS = ("train", "valid", "test")


def packaged_file(name):
    """A file shipped in ``datasets/`` (the catalog, a packaged corpus): the one beside the package in a source
    checkout (where the package is imported from the checkout itself, e.g. ``python -m rnncli`` run in it), else
    the copy installed as the package ``rnncli.datasets``."""
    beside = Path(__file__).resolve().parents[2] / "datasets" / name
    return beside if beside.exists() else resources.files("rnncli.datasets").joinpath(name)


@dataclass(frozen=True)
class CorpusDefaults:
    """How a corpus is read when the user does not say: plain files and URLs get these values as they are."""

    encoding: str = "utf-8"
    normalize: str = "none"
    level: str = "char"
    tokenizer: str = "words"
    vocab_size: int | None = None
    valid_size: int | None = None
    valid_fraction: float = 0.1
    test_size: int | None = None


@dataclass(frozen=True)
class Member:
    """One file of a corpus: a member of its archive (``name``), or the download itself when there is none."""

    name: str
    bytes: int | None = None
    split: str | None = None


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    description: str
    url: str
    bytes: int | None
    sha256: str | None
    archive: str | None
    members: tuple[Member, ...]
    defaults: CorpusDefaults
    #: The file name of a copy shipped in ``rnncli.datasets`` (read instead of downloading), or None.
    packaged: str | None = None

    @property
    def presplit(self):
        """Whether the corpus comes as separate train, valid and test files (the Penn Treebank)."""
        return bool(self.members) and all(member.split for member in self.members)

    @classmethod
    def from_json(cls, name, fields):
        defaults = {f.name for f in dataclasses.fields(CorpusDefaults)}
        members = tuple(Member(**member) for member in fields["members"])
        if fields["archive"] not in (None, "zip", "tar.gz") or (fields["archive"] is None) != (not members):
            raise ValueError(f"catalog entry {name}: an archive needs members, and members need an archive")
        if any(member.split for member in members) and [m.split for m in members] != list(SPLITS):
            raise ValueError(f"catalog entry {name}: split members must be train, valid and test, in that order")
        unknown = set(fields) - defaults - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"catalog entry {name}: unknown fields {sorted(unknown)}")
        if fields.get("packaged") and not fields["sha256"]:
            raise ValueError(f"catalog entry {name}: a packaged copy needs the SHA-256 it is checked against")
        return cls(name, fields["description"], fields["url"], fields["bytes"], fields["sha256"], fields["archive"],
                   members, CorpusDefaults(**{k: v for k, v in fields.items() if k in defaults}),
                   fields.get("packaged"))


def load_catalog():
    """``{name: CatalogEntry}`` of every known corpus."""
    text = packaged_file("catalog.json").read_text(encoding="utf-8")
    return {name: CatalogEntry.from_json(name, fields) for name, fields in json.loads(text).items()}


def entry_named(name):
    """The catalog entry ``name``; an unknown name is refused with the list of known ones."""
    catalog = load_catalog()
    if name not in catalog:
        raise UsageProblem(f"{name!r} is not a known corpus; known corpora: {', '.join(sorted(catalog))}")
    return catalog[name]


def data_dir(override=None):
    """``--data-dir``, else ``$RNNCLI_DATA_DIR``, else the platform's cache folder for rnncli."""
    chosen = override or os.environ.get("RNNCLI_DATA_DIR") or platformdirs.user_cache_dir("rnncli")
    return Path(chosen)
