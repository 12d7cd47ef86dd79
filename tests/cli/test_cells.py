"""``rnncli cells``: the table, one cell's equations, JSON for scripts."""

import json
import subprocess
import sys

from click.testing import CliRunner

from rnncli.cells import REGISTRY
from rnncli.cli import main


def run(*args):
    return CliRunner().invoke(main, ["cells", *args])


def test_json_lists_every_cell_with_family_paper_and_the_parameters_of_the_given_sizes():
    result = run("--json", "--hidden", "450")
    assert result.exit_code == 0, result.output
    listing = json.loads(result.output)
    assert (listing["input"], listing["hidden"]) == (450, 450)
    cells = {cell["name"]: cell for cell in listing["cells"]}
    assert list(cells) == list(REGISTRY)
    assert cells["lstm"]["parameters"] == 1_623_150
    assert cells["mut1"]["aliases"] == ["jzs1"] and cells["mut1"]["family"] == "gru"
    assert "Le et al. 2015" in cells["irnn"]["paper"]
    # by hand: 4 blocks' x- and recurrent-term gains, and the cell's gain and shift, of 450 each
    assert cells["lstm"]["layer_norm_parameters"] == 1_623_150 + (2 * 4 + 2) * 450
    assert cells["mut1"]["layer_norm_parameters"] is None


def test_input_width_is_its_own_option():
    listing = json.loads(run("--json", "--hidden", "64", "--input", "65").output)
    cells = {cell["name"]: cell for cell in listing["cells"]}
    assert cells["rnn"]["parameters"] == 65 * 64 + 64 * 64 + 64
    assert cells["mut1"]["parameters"] == 3 * 65 * 64 + 2 * 64 * 64 + 3 * 64  # with the projection P_x


def test_the_table_shows_names_aliases_and_counts():
    result = run("--hidden", "450")
    assert result.exit_code == 0, result.output
    for text in ["mut1 (jzs1)", "1,623,150", "1,627,650", "with --layer-norm", "Greff et al. 2015",
                 "rnncli cells NAME"]:
        assert text in result.output


def test_a_name_or_alias_shows_the_equations_of_that_cell():
    result = run("jzs3")
    assert result.exit_code == 0, result.output
    assert "MUT3" in result.output and "tanh(h_{t-1}) R_z" in result.output
    described = json.loads(run("jzs3", "--json", "--hidden", "8", "--input", "5").output)
    assert described["name"] == "mut3" and described["parameters"] == 3 * (5 * 8 + 8 * 8 + 8)
    assert "h_t = tanh((r_t ⊙ h_{t-1}) R_h + x_t W_h + b_h) ⊙ z_t + h_{t-1} ⊙ (1 - z_t)" in described["equations"]


def test_an_unknown_name_is_a_usage_error_that_lists_the_names():
    result = run("transformer")
    assert result.exit_code == 2
    assert "'transformer' is not one of" in result.output and "jzs3" in result.output


def test_every_registered_count_is_the_count_of_the_built_cell():
    """The registry's formulas (no TensorFlow) against the weights the cell's code creates."""
    from rnncli.cells import make_cell, parameter_count
    from rnncli.cells.initializers import WeightInit

    for input_size, hidden in [(7, 5), (5, 5), (30, 16)]:
        for name in REGISTRY:
            built = make_cell(name, input_size, hidden, WeightInit("uniform")).parameter_count
            assert parameter_count(name, input_size, hidden) == built, (name, input_size, hidden)


def test_equations_are_plain_text_that_fits_80_columns():
    result = CliRunner().invoke(main, ["cells", "fgr"], terminal_width=80, env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "``" not in result.output and "::" not in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "    o_t = σ(x_t W_o + y_{t-1} R_o + p_o ⊙ c_t + b_o)" in result.output
    assert "nine more matrices; the state carries i, f, o" in " ".join(result.output.split())


def test_listing_the_cells_imports_neither_numpy_nor_tensorflow():
    code = ("import sys; from rnncli.cli import main; main(['cells'], standalone_mode=False); "
            "main(['cells', 'lstm'], standalone_mode=False); "
            "loaded = {'numpy', 'tensorflow', 'keras'} & set(sys.modules); print(*loaded, file=sys.stderr); "
            "sys.exit(bool(loaded))")
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert process.returncode == 0, process.stderr
