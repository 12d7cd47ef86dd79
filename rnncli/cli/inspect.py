"""``rnncli inspect``: a page that shows what a trained network computes, one HTML file that opens offline."""

import json
import webbrowser
from pathlib import Path

import rich_click as click

from rnncli.cli.options import DATA, checkpoint_option, data_dir_option, encoding_option, json_option, normalize_option
from rnncli.inspect import DEFAULT_LENGTH


@click.command()
@click.argument("run_dir", type=click.Path())
@click.option("--text", "text_file", type=click.Path(exists=True, dir_okay=False), panel=DATA,
              help="Read this text file (default: the run's validation split).")
@click.option("--corpus", panel=DATA,
              help="Or read a catalog name, folder of .txt files, http(s) URL, or - for stdin.")
@click.option("--length", type=click.IntRange(min=2), default=DEFAULT_LENGTH, show_default=True, panel=DATA,
              help="Characters read from the start of the text.")
@checkpoint_option()
@click.option("--out", type=click.Path(dir_okay=False), help="Page to write (default: RUN_DIR/inspect.html).")
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default web browser.")
@data_dir_option()
@encoding_option("the run's")
@normalize_option("the run's")
@json_option("the page's numbers as one JSON object (surprisal, correlations, gate saturation)")
def inspect(run_dir, text_file, corpus, length, checkpoint, out, open_page, data_dir, encoding, normalize,
            json_output):
    """Write one self-contained HTML page that shows inside a trained character model: the text coloured by
    surprisal, a browser of every unit's activations, the units that follow features of the text, a
    hypothesis search over a selected span, and how often each gate saturates."""
    from rnncli.inspect.inspection import inspect_run
    from rnncli.inspect.page import write_page
    from rnncli.report import make_console

    if text_file and corpus:
        raise click.UsageError("give --text or --corpus, not both")
    console = make_console(json_output)
    inspection = inspect_run(run_dir, text_file or corpus, length, checkpoint, data_dir, encoding, normalize,
                             console)
    page = Path(out) if out else Path(run_dir) / "inspect.html"
    write_page(inspection, page)
    if json_output:
        click.echo(json.dumps({**inspection.summary(), "page": str(page)}))
    else:
        console.print(f"{inspection.header['source']}: {len(inspection.text):,} characters, "
                      f"{inspection.recording.bpc:.4f} bits per character; page {page}", markup=False)
    if open_page:
        webbrowser.open(page.resolve().as_uri())
