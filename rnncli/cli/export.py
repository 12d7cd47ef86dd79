"""``rnncli export``: a trained run as a SavedModel that TensorFlow loads without rnncli."""

import json

import rich_click as click

from rnncli.cli.options import checkpoint_option, json_option


@click.command()
@click.argument("run_dir", type=click.Path())
@click.argument("out", type=click.Path())
@checkpoint_option()
@json_option("what was exported as one JSON object")
def export(run_dir, out, checkpoint, json_output):
    """Write the run RUN_DIR as a TensorFlow SavedModel in the new folder OUT, with the vocabulary and the
    normalisation inside and two signatures: score(text) -> log_probs, and sample(prime, length, temperature,
    top_k, top_p, seed) -> text. Load it with tf.saved_model.load(OUT)."""
    from rnncli.export import export_run

    summary = export_run(run_dir, out, checkpoint)
    click.echo(json.dumps(summary) if json_output else
               f"wrote {out} (checkpoint {checkpoint}, {summary['vocab_size']} symbols): signatures score, sample")
