"""``rnncli eval``: perplexity and bits per symbol of a text under a trained run."""

import json

import rich_click as click

from rnncli.cli.options import checkpoint_option, data_dir_option, encoding_option, json_option, normalize_option


@click.command(name="eval")
@click.argument("run_dir", type=click.Path())
@click.option("--corpus", help="Catalog name, text file, folder of .txt files, http(s) URL, or - for stdin "
              "(default: the run's validation split).")
@data_dir_option()
@encoding_option("the run's")
@normalize_option("the run's")
@checkpoint_option()
@json_option()
def evaluate(run_dir, corpus, data_dir, encoding, normalize, checkpoint, json_output):
    """Perplexity and bits per symbol (character or word) of a text under a trained run."""
    from rnncli.evaluate import evaluate_run
    from rnncli.report import make_console

    console = make_console(json_output)
    summary = evaluate_run(run_dir, corpus, data_dir, encoding, normalize, console, checkpoint)
    if json_output:
        click.echo(json.dumps(summary))
        return
    unit, unknown = summary["unit"], summary["unknown"]
    console.print(f"{summary['text']}: {summary['symbols']:,} {unit}s, perplexity {summary['perplexity']:.3f}, "
                  f"{summary['bits_per_symbol']:.4f} bits per {unit}"
                  + (f" ({unknown:,} unknown {unit}s {summary['unknown_as']})" if unknown else ""), markup=False)
