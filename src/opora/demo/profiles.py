"""Latent traits of schools and the planted profiles that tests look for.

Every school has a social adversity (drives the context factors) and an ability (drives
its results). Most schools are ``normal``: ability = own quality − adversity effect. A few
per cent are planted with a known story and recorded in ``Region.truth``:

- ``stably_low``  ability so low that ≈ 40–45 % of participants get «2», every year;
- ``dip``         a normal school with one bad year (``event_year``);
- ``inflated``    weak school whose ВПР look excellent (almost no «2», half «5») while
                  ОГЭ/ЕГЭ failures stay high; student journals disagree with ВПР;
- ``collapse``    weak school whose ВПР «2» share falls from ≈ 45 % to ≈ 3 % in
                  ``event_year`` and stays there (ОГЭ/ЕГЭ unchanged);
- ``resilient``   among the most adverse contexts, yet results well above the region;
- ``leader``      no cell above 5 % failures in any year (enforced, not only likely).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from opora.demo.register import BOARDING, EVENING, GYMNASIUM, LYCEUM, OOSH, SOSH, Register

PROFILES: tuple[str, ...] = (
    "normal", "stably_low", "dip", "inflated", "collapse", "resilient", "leader",
)  # fmt: skip
NORMAL, STABLY_LOW, DIP, INFLATED, COLLAPSE, RESILIENT, LEADER = range(len(PROFILES))

# Share of schools planted with each profile.
PLANTED_SHARE = {
    RESILIENT: 0.025,
    LEADER: 0.03,
    STABLY_LOW: 0.03,
    INFLATED: 0.015,
    COLLAPSE: 0.01,
    DIP: 0.03,
}

ADVERSITY_CENTRE = 0.15  # typical adversity: ability is measured from it
ADVERSITY_EFFECT = 0.4  # ability lost per unit of adversity
QUALITY_SD = 0.35


@dataclass
class Traits:
    adversity: np.ndarray  # float[s], higher = more adverse
    ability: np.ndarray  # float[s], logit units of the ordered-mark model
    profile: np.ndarray  # int[s] index into PROFILES
    event_year: np.ndarray  # int[s], 0 where none
    year_shift: np.ndarray  # float[s, y]: school-year effect on ability (dips live here)


def draw_adversity(rng: np.random.Generator, register: Register) -> np.ndarray:
    """Latent social adversity: villages, remote places, boarding and evening schools higher."""
    n = register.size
    municipal = rng.normal(0.0, 0.3, len(register.municipality_names))[register.municipality]
    role_effect = np.array([-0.45, 0.0, 0.45])[register.role]
    kind_effect = np.zeros(n)
    kind_effect[np.isin(register.kind, (GYMNASIUM, LYCEUM))] = -0.7
    kind_effect[register.kind == EVENING] = 1.0
    kind_effect[register.kind == BOARDING] = 1.2
    remote = np.where(register.role == 2, 0.008 * register.distance_km, 0.0)
    return role_effect + kind_effect + municipal + remote + rng.normal(0.0, 0.55, n)


def draw_traits(
    rng: np.random.Generator,
    register: Register,
    adversity: np.ndarray,
    context_index: np.ndarray,
) -> Traits:
    """Draw ability and planted profiles; resilient schools come from the top 15 % of the
    context index (the methodology's default index over the generated context)."""
    n = register.size
    years = register.years
    quality = rng.normal(0.0, QUALITY_SD, n)
    municipal_quality = rng.normal(0.0, 0.15, len(register.municipality_names))
    ability = (
        quality
        + municipal_quality[register.municipality]
        - ADVERSITY_EFFECT * (adversity - ADVERSITY_CENTRE)
    )
    year_shift = rng.normal(0.0, 0.15, (n, len(years)))

    profile = np.full(n, NORMAL, dtype=np.int64)
    event_year = np.zeros(n, dtype=np.int64)
    size = register.students(max(years))
    kind = register.kind
    general = np.isin(kind, (SOSH, OOSH))
    top_adverse = context_index >= np.quantile(context_index, 0.85)
    eligible = {
        RESILIENT: general & top_adverse & (size >= 40),
        LEADER: np.isin(kind, (SOSH, GYMNASIUM, LYCEUM)) & (size >= 300),
        STABLY_LOW: general & (size >= 90) & (size <= 900),
        INFLATED: general & (size >= 100),
        COLLAPSE: general & (size >= 80),
        DIP: np.isin(kind, (SOSH, OOSH, GYMNASIUM, LYCEUM)) & (size >= 80) & (ability > -0.1),
    }
    weight = {
        RESILIENT: np.ones(n),
        LEADER: np.exp(-adversity) * np.where(np.isin(kind, (GYMNASIUM, LYCEUM)), 3.0, 1.0),
        STABLY_LOW: np.exp(adversity),
        INFLATED: np.exp(0.5 * adversity),
        COLLAPSE: np.exp(0.5 * adversity),
        DIP: np.ones(n),
    }
    for code, share in PLANTED_SHARE.items():
        pool = np.flatnonzero(eligible[code] & (profile == NORMAL))
        k = min(len(pool), int(round(share * n)))
        if k == 0:
            continue
        w = weight[code][pool]
        chosen = rng.choice(pool, size=k, replace=False, p=w / w.sum())
        profile[chosen] = code

    def planted(code: int) -> np.ndarray:
        return np.flatnonzero(profile == code)

    jitter = rng.uniform(-0.15, 0.15, n)  # bounded: a planted story never fades by chance
    ability[planted(STABLY_LOW)] = -2.1 + jitter[planted(STABLY_LOW)]
    ability[planted(LEADER)] = 1.8 + jitter[planted(LEADER)]
    ability[planted(RESILIENT)] = 0.9 + jitter[planted(RESILIENT)]
    ability[planted(INFLATED)] = -2.0 + jitter[planted(INFLATED)]
    ability[planted(COLLAPSE)] = -2.0 + jitter[planted(COLLAPSE)]
    # Planted stories should not be blurred by the ordinary year-to-year wobble.
    calm = np.isin(profile, (STABLY_LOW, LEADER, INFLATED, COLLAPSE, DIP))
    year_shift[calm] *= 0.3

    late_years = np.array(years[-2:] if len(years) >= 2 else years)
    dips = planted(DIP)
    event_year[dips] = rng.choice(late_years, size=len(dips))
    year_index = np.searchsorted(np.array(years), event_year[dips])
    year_shift[dips, year_index] -= 2.2
    collapses = planted(COLLAPSE)
    collapse_years = np.array(years[1:][-2:] if len(years) >= 2 else years)
    event_year[collapses] = rng.choice(collapse_years, size=len(collapses))
    return Traits(adversity, ability, profile, event_year, year_shift)
