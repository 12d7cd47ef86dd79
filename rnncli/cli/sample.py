"""``rnncli sample``: text from a trained run."""

import json

import rich_click as click

from rnncli.cli.options import NON_NEGATIVE_FLOAT, POSITIVE, FiniteFloat, checkpoint_option, json_option


@click.command()
@click.argument("run_dir", type=click.Path())
@click.option("--length", type=POSITIVE, default=500, show_default=True, help="Symbols to generate.")
@click.option("--temperature", type=NON_NEGATIVE_FLOAT, default=1.0, show_default=True,
              help="Divides the logits; 0 picks the most likely symbol.")
@click.option("--top-k", type=click.IntRange(min=0), default=0, show_default=True,
              help="Draw only from the K most likely symbols (0: all).")
@click.option("--top-p", type=FiniteFloat(0, 1, min_open=True), default=1.0, show_default=True,
              help="Nucleus sampling: draw only from the fewest most likely symbols whose probability sums to P.")
@click.option("--no-unk", is_flag=True, help="Never draw <unk> (its probability is masked before sampling).")
@click.option("--prime", default="", help="Text that warms up the state; the sample continues it.")
@click.option("--prime-file", type=click.Path(exists=True, dir_okay=False),
              help="Read the priming text from a UTF-8 file.")
@click.option("--num-samples", type=POSITIVE, default=1, show_default=True,
              help="Independent samples; more than one are printed as blocks with a header each.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same text.")
@checkpoint_option()
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the samples (or the JSON object) to this file, atomically, instead of stdout.")
@json_option('one JSON object: "text" (the first sample) and "texts"')
def sample(run_dir, length, temperature, top_k, top_p, no_unk, prime, prime_file, num_samples, seed, checkpoint,
           output, json_output):
    """Generate text from a trained run."""
    from rnncli.report import sample_blocks
    from rnncli.run_dir import write_atomically
    from rnncli.sample import Drawing, sample_run

    drawing = Drawing(temperature, top_k, top_p)
    texts = sample_run(run_dir, length, drawing, prime, prime_file, num_samples, seed, checkpoint, no_unk)
    if json_output:
        shown = json.dumps({"text": texts[0], "texts": texts}) + "\n"
    elif num_samples == 1:
        shown = texts[0] + "\n"
    else:
        settings = f"temperature {temperature:g}" + (f", top-k {top_k}" if top_k else "") + \
            (f", top-p {top_p:g}" if top_p < 1 else "")
        shown = sample_blocks(texts, f"{settings}, seed {seed}")
    if output:
        write_atomically(output, shown)
    else:
        click.echo(shown, nl=False)
