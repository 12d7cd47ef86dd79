"""``rnncli datasets``: the known corpora, downloading one or adding a copy fetched elsewhere, and what any
corpus looks like to a model.

The commands parse options and hand them to ``rnncli.data``; NumPy and requests load only when a command runs.
"""

import json

import rich_click as click

from rnncli.cli.options import corpus_options, data_dir_option, json_option, stall_timeout_option


@click.group()
def datasets():
    """List, download, add and describe corpora."""


@datasets.command(name="list")
@data_dir_option()
def list_datasets(data_dir):
    """The catalog: each corpus's size, and whether it is in the cache."""
    from rich.table import Table

    from rnncli.data import catalog
    from rnncli.data.cache import cache_state
    from rnncli.report import make_console

    folder = catalog.data_dir(data_dir)
    table = Table("name", "text", "download", "cached", "description", title=f"Corpora (cache: {folder})")
    for entry in catalog.load_catalog().values():
        text_bytes = [member.bytes for member in entry.members] or [entry.bytes]
        table.add_row(entry.name, _size(sum(text_bytes) if None not in text_bytes else None), _size(entry.bytes),
                      cache_state(entry, folder), entry.description)
    make_console().print(table)


def _size(count):
    return "?" if count is None else f"{count / 1e6:,.1f} MB"


@datasets.command()
@click.argument("name")
@data_dir_option()
@stall_timeout_option()
def download(name, data_dir, stall_timeout):
    """Fetch catalog corpus NAME into the cache (or check the copy there), and print its files and SHA-256."""
    from rnncli.data import catalog
    from rnncli.data.cache import fetch_entry
    from rnncli.data.download import retry_policy
    from rnncli.report import make_console

    console = make_console()
    entry = catalog.entry_named(name)
    _print_cached(console, fetch_entry(entry, catalog.data_dir(data_dir), console, retry_policy(stall_timeout)))


@datasets.command()
@click.argument("name")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@data_dir_option()
def add(name, path, data_dir):
    """Put PATH, a copy of catalog corpus NAME fetched elsewhere (its download as downloaded, e.g. text8.zip, or
    the file extracted from it), into the cache, once its size and SHA-256 match the catalog's."""
    from rnncli.data import catalog
    from rnncli.data.local_copies import add_copy, check_copy
    from rnncli.report import make_console

    console = make_console()
    copy = check_copy(catalog.entry_named(name), path)
    console.print(f"{copy.describe}: added to the cache", markup=False, highlight=False)
    _print_cached(console, add_copy(copy, catalog.data_dir(data_dir), console))


def _print_cached(console, paths):
    from rnncli.data.cache import recorded_digest, verify_cached

    for path in paths:
        verify_cached(path)
        console.print(f"{path}  sha256 {recorded_digest(path)}", markup=False, highlight=False)


@datasets.command()
@click.argument("source")
@corpus_options
@json_option()
def info(source, json_output, **options):
    """Characters, vocabulary, the most and least frequent symbols, splits and unknown symbols of SOURCE: a catalog
    name, text file, archive, folder of .txt files, http(s) URL, or - for stdin."""
    from rnncli.data.corpus import load_corpus
    from rnncli.data.describe import describe_corpus, unknown_rate_lines
    from rnncli.data.spec import CorpusSpec
    from rnncli.report import make_console

    console = make_console(json_output)
    corpus, spec = load_corpus(CorpusSpec(corpus=source, **options), console)
    summary = describe_corpus(corpus, spec)
    if json_output:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    _print_summary(console, summary)
    for line in unknown_rate_lines(corpus):
        console.print(line, markup=False, highlight=False)


def _print_summary(console, s):
    unit = s["unit"]
    splits = " / ".join(f"{count:,} {split}" for split, count in s["splits"].items())
    words = f", {s['symbols']:,} words" if s["level"] == "word" else ""
    console.print(f"{s['corpus']}: {s['characters']:,} characters{words} ({s['level']} level, {s['encoding']}, "
                  f"normalize {s['normalize']})", markup=False)
    console.print(f"vocabulary: {s['vocab_size']:,} symbols" + (" including <unk>" if s["has_unknown"] else ""))
    console.print(f"splits: {splits} {unit}s")
    for label, key in (("most frequent", "most_frequent"), ("least frequent", "least_frequent")):
        shown = ", ".join(f"{symbol!r} {count:,}" for symbol, count in s[key])
        console.print(f"{label} (training split): {shown}", markup=False, highlight=False)
    unknown = s["unknown"]
    console.print(f"outside the vocabulary: {unknown['train']:,} train / {unknown['valid']:,} valid / "
                  f"{unknown['test']:,} test {unit}s" + (" (mapped to <unk>)" if s["has_unknown"] else ""))
