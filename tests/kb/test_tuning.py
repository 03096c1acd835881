"""Choosing the answer-or-refuse thresholds: a setting is ranked by how its neighbours score too."""
import itertools

from bot.measure.tune import GRID, balance, smoothed

SETTINGS = list(itertools.product(*GRID.values()))


def grid_of(value_of):
    return {values: (value_of(values), 0.0, 0.0, 0.0) for values in SETTINGS}


def test_balance_weighs_in_scope_hits_as_much_as_refusals_and_clean_chit_chat_together():
    assert balance(1.0, 0.0, 0.0) == balance(0.0, 1.0, 1.0) == 0.5
    assert balance(0.5, 1.0, 0.0) == 0.5


def test_a_setting_whose_neighbours_score_alike_keeps_its_balance():
    scored = grid_of(lambda values: 0.7)
    assert all(abs(smoothed(scored, values) - 0.7) < 1e-9 for values in SETTINGS[:50])


def test_a_lone_peak_ranks_below_a_setting_on_a_plateau():
    peak = SETTINGS[len(SETTINGS) // 2]
    first_axis = list(GRID.values())[0]
    plateau_value = first_axis[-1]
    # Every setting with the first threshold at its last value scores 0.75; one other setting alone 0.8.
    scored = grid_of(lambda values: 0.8 if values == peak else 0.75 if values[0] == plateau_value else 0.5)
    assert peak[0] != plateau_value
    on_plateau = next(values for values in SETTINGS if values[0] == plateau_value)
    assert smoothed(scored, peak) < smoothed(scored, on_plateau)
    assert max(scored, key=lambda values: smoothed(scored, values))[0] == plateau_value
