"""The normal quantile and the two-proportion test, against figures worked out by hand."""

from __future__ import annotations

import math

import pytest

from opora.analytics.stats import two_proportion_test, wilson_interval, z_value


@pytest.mark.parametrize(
    "confidence, z",
    # the standard normal quantiles of 0.95, 0.975 and 0.995 from printed tables
    [(0.90, 1.6448536269514722), (0.95, 1.959963984540054), (0.99, 2.5758293035489004)],
)
def test_the_quantile_of_a_confidence_level(confidence, z):
    assert z_value(confidence) == pytest.approx(z, rel=1e-15)


def test_a_confidence_outside_zero_and_one_is_refused():
    with pytest.raises(ValueError):
        z_value(1.0)


def test_the_two_proportion_test_by_hand():
    # 45 of 100 against 3 of 100: pooled share 48/200 = 0.24,
    # se = √(0.24 · 0.76 · (1/100 + 1/100)) = √0.003648, z = 0.42 / se.
    z_hand = 0.42 / math.sqrt(0.003648)
    z, p = two_proportion_test([45, 30], [100, 60], [3, 25], [100, 50])
    assert z[0] == pytest.approx(z_hand, rel=1e-12)
    assert p[0] == pytest.approx(math.erfc(z_hand / math.sqrt(2)), rel=1e-12)
    # 30 of 60 against 25 of 50: the same share, no evidence at all
    assert (z[1], p[1]) == (0.0, 1.0)


def test_rows_without_participants_or_without_spread_give_no_evidence():
    z, p = two_proportion_test([0, 5, 0], [0, 10, 20], [1, 5, 0], [10, 0, 20])
    assert z.tolist() == [0.0, 0.0, 0.0]
    assert p.tolist() == [1.0, 1.0, 1.0]
    assert two_proportion_test([], [], [], [])[1].tolist() == []


def test_the_wilson_interval_by_hand():
    # 9 of 21 at 95 %: centre (p + z²/2n)/(1 + z²/n), half z·√(p(1−p)/n + z²/4n²)/(1 + z²/n)
    z = 1.959963984540054
    n, p = 21, 9 / 21
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo, hi = wilson_interval([9], [21])
    assert (lo[0], hi[0]) == (pytest.approx(centre - half), pytest.approx(centre + half))


def test_single_numbers_are_tested_like_arrays():
    z, p = two_proportion_test(45, 100, 3, 100)
    z_hand = 0.42 / math.sqrt(0.003648)
    assert float(z) == pytest.approx(z_hand, rel=1e-12)
    assert float(p) == pytest.approx(math.erfc(z_hand / math.sqrt(2)), rel=1e-12)
