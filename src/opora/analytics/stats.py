"""Small-sample statistics shared by the identification rules.

Every function is vectorised over NumPy arrays so that it can be applied to the school-level
table after the heavy aggregation has been done by the lazy-frame engine.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

# The normal quantile and tail come from the standard library (``NormalDist.inv_cdf``,
# ``math.erfc``), both exact to double precision: importing SciPy's special functions costs
# half a second of CPU, more than the batch command's whole statistics.
_STANDARD_NORMAL = NormalDist()
_ERFC = np.frompyfunc(math.erfc, 1, 1)


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level.

    >>> round(z_value(0.95), 3)
    1.96
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie strictly between 0 and 1")
    return _STANDARD_NORMAL.inv_cdf(0.5 + confidence / 2.0)


def wilson_interval(
    failures: ArrayLike, participants: ArrayLike, confidence: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Wilson score interval for a share failures / participants.

    Rows with zero participants give NaN bounds.

    >>> lo, hi = wilson_interval([9], [21])
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.2447, 0.6345)
    """
    x = np.asarray(failures, dtype=np.float64)
    n = np.asarray(participants, dtype=np.float64)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
        lo = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lo, hi


def two_proportion_test(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Pooled two-proportion z-test of p1 == p2; returns (z, two-sided p-value).

    z > 0 means the first share is larger. Rows where either n is zero, or the pooled share
    is 0 or 1, give z = 0 and p = 1 (no evidence of a difference).

    >>> z, p = two_proportion_test([45], [100], [3], [100])
    >>> round(float(z[0]), 2), float(p[0]) < 1e-10
    (6.95, True)
    """
    a1 = np.asarray(x1, dtype=np.float64)
    b1 = np.asarray(n1, dtype=np.float64)
    a2 = np.asarray(x2, dtype=np.float64)
    b2 = np.asarray(n2, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (a1 + a2) / (b1 + b2)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / b1 + 1.0 / b2))
        z = (a1 / b1 - a2 / b2) / se
    valid = (b1 > 0) & (b2 > 0) & (se > 0) & np.isfinite(z)
    z = np.where(valid, z, 0.0)
    # two-sided: 2 · Φ(−|z|) = erfc(|z| / √2)
    tail = np.asarray(_ERFC(np.abs(z) / math.sqrt(2.0)), dtype=np.float64)
    p = np.where(valid, tail, 1.0)
    return z, p


def shrunk_shares(
    failures: ArrayLike, participants: ArrayLike
) -> tuple[NDArray[np.float64], float, float]:
    """Empirical-Bayes (beta-binomial, method of moments) shrinkage of failure shares.

    Returns the shrunk shares and the fitted prior mean and prior strength (alpha + beta).
    Small schools are pulled towards the overall mean; big schools keep their own share.

    >>> s, mean, strength = shrunk_shares([0, 5, 50], [10, 10, 100])
    >>> bool(s[0] > 0.0 and s[1] < 0.5), round(mean, 4)
    (True, 0.4583)
    """
    x = np.asarray(failures, dtype=np.float64)
    n = np.asarray(participants, dtype=np.float64)
    keep = n > 0
    if not keep.any():
        return np.full_like(x, np.nan), float("nan"), float("nan")
    p = x[keep] / n[keep]
    mean = float(x[keep].sum() / n[keep].sum())
    # Between-school variance of the true shares = observed variance - average binomial variance.
    weights = n[keep] / n[keep].sum()
    observed_var = float(np.sum(weights * (p - mean) ** 2))
    binomial_var = float(np.sum(weights * mean * (1.0 - mean) / n[keep]))
    true_var = observed_var - binomial_var
    if true_var <= 0 or mean in (0.0, 1.0):
        strength = 1e9  # no detectable between-school variation: everybody gets the mean
    else:
        strength = max(mean * (1.0 - mean) / true_var - 1.0, 1e-6)
    alpha = mean * strength
    with np.errstate(divide="ignore", invalid="ignore"):
        shrunk = np.where(n > 0, (x + alpha) / (n + strength), np.nan)
    return shrunk, mean, float(strength)
