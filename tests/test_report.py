"""What a run shows a person (``rnncli.report``)."""

from rnncli.report import sample_blocks


def test_every_line_of_a_multi_line_sample_is_indented_alike_under_its_header():
    assert sample_blocks(["ROMEO:\nBut soft!", "JULIET:"], "step 7, temperature 1") == (
        "── sample 1 of 2, step 7, temperature 1 ──\n  ROMEO:\n  But soft!\n"
        "── sample 2 of 2, step 7, temperature 1 ──\n  JULIET:\n")
