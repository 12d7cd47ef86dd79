"""Gate saturation fractions against a hand count, boundaries included."""

import numpy as np

from rnncli.inspect.gates import reading, saturation

GATE = np.array([[0.05, 0.50, 0.95],
                 [0.09, 0.91, 0.10],
                 [0.50, 0.95, 0.90],
                 [0.00, 1.00, 0.20]])


def test_saturation_fractions_equal_a_hand_count():
    left, right = saturation(GATE)
    # below 0.1: 0.05, 0.09, 0.00 | none | none (0.10 is not below)
    assert left.tolist() == [0.75, 0.0, 0.0]
    # above 0.9: none | 0.91, 0.95, 1.00 | 0.95 (0.90 is not above)
    assert right.tolist() == [0.0, 0.75, 0.25]


def test_the_reading_counts_units_mostly_open_mostly_closed_and_never_saturated():
    line = reading("f", *saturation(GATE))
    assert line.startswith("f: 1 of 3 units open (> 0.9) most of the time, 1 closed (< 0.1) most of the time, "
                           "0 almost never saturated")
    assert reading("z", np.zeros(4), np.zeros(4)).startswith("z: 0 of 4 units open (> 0.9) most of the time, 0 "
                                                              "closed (< 0.1) most of the time, 4 almost never")
