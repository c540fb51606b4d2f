"""The school register of a fictional region: municipalities, schools, enrolment by cohort.

Cities hold big schools (500–1500 students, 50–120 per grade); rural districts hold a
district centre with one or two big schools and many village schools of 20–150 students
with classes of a few pupils. Enrolment is kept per cohort (the calendar year a class
entered grade 1), so a class keeps its size from year to year and student ids can be stable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from opora.demo import names

KINDS: tuple[str, ...] = ("СОШ", "ООШ", "НОШ", "гимназия", "лицей", "вечерняя", "школа-интернат")
SOSH, OOSH, NOSH, GYMNASIUM, LYCEUM, EVENING, BOARDING = range(len(KINDS))

# First and last grade taught, and the share of a cohort that stays for grades 10–11.
GRADE_RANGE = {
    SOSH: (1, 11),
    OOSH: (1, 9),
    NOSH: (1, 4),
    GYMNASIUM: (1, 11),
    LYCEUM: (1, 11),
    EVENING: (9, 11),
    BOARDING: (1, 11),
}
SENIOR_KEEP = {SOSH: 0.55, GYMNASIUM: 0.8, LYCEUM: 0.8, BOARDING: 0.5, EVENING: 1.0}

# Target size of a school: (median students, log-sd, min, max).
SIZE_URBAN = {
    SOSH: (850, 0.33, 300, 1600),
    GYMNASIUM: (950, 0.25, 450, 1500),
    LYCEUM: (900, 0.25, 450, 1500),
    OOSH: (330, 0.3, 150, 600),
    NOSH: (220, 0.3, 80, 400),
    EVENING: (120, 0.4, 40, 300),
    BOARDING: (200, 0.35, 80, 400),
}
SIZE_CENTRE = {
    SOSH: (560, 0.35, 200, 1100),
    GYMNASIUM: (600, 0.25, 300, 900),
    EVENING: (80, 0.4, 30, 200),
}
SIZE_VILLAGE = {
    SOSH: (120, 0.45, 40, 420),
    OOSH: (50, 0.45, 15, 160),
    NOSH: (16, 0.45, 5, 50),
    BOARDING: (150, 0.35, 60, 300),
}
KIND_SHARE_URBAN = {
    SOSH: 0.68,
    GYMNASIUM: 0.10,
    LYCEUM: 0.07,
    OOSH: 0.04,
    NOSH: 0.02,
    EVENING: 0.05,
    BOARDING: 0.04,
}
KIND_SHARE_VILLAGE = {SOSH: 0.48, OOSH: 0.32, NOSH: 0.17, BOARDING: 0.03}

MUNICIPALITIES_PER_REGION = 27
URBAN_SHARE = 0.17
FIRST_COHORT_OFFSET = 11  # cohorts from min(year) - 11 cover every grade of every year


@dataclass
class Register:
    """Arrays over schools (index s) and municipalities (index m)."""

    municipality_names: list[str]
    municipality_urban: np.ndarray  # bool[m]
    school_id: list[str]
    name: list[str]
    municipality: np.ndarray  # int[s] -> m
    urban: np.ndarray  # bool[s]: school in a city municipality
    settlement: list[str]  # 'город' | 'село'
    kind: np.ndarray  # int[s] index into KINDS
    role: np.ndarray  # int[s]: 0 city school, 1 district centre, 2 village
    distance_km: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    cohort: np.ndarray  # int[s, c]: pupils of cohort c in grades up to 9
    senior: np.ndarray  # int[s, c]: pupils of cohort c staying for grades 10–11
    first_cohort: int  # calendar year of cohort index 0
    years: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.school_id)

    def enrolled(self, year: int, grade: int) -> np.ndarray:
        """Pupils of each school in ``grade`` in ``year`` (0 where the grade is not taught)."""
        lo = np.array([GRADE_RANGE[k][0] for k in range(len(KINDS))])[self.kind]
        hi = np.array([GRADE_RANGE[k][1] for k in range(len(KINDS))])[self.kind]
        c = year - grade - self.first_cohort
        pool = self.senior[:, c] if grade >= 10 else self.cohort[:, c]
        return np.where((grade >= lo) & (grade <= hi), pool, 0)

    def students(self, year: int) -> np.ndarray:
        """Pupils of each school in ``year`` over all grades."""
        return np.sum([self.enrolled(year, g) for g in range(1, 12)], axis=0)


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    raw = weights / weights.sum() * total
    base = np.floor(raw).astype(np.int64)
    rest = total - int(base.sum())
    base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return base


def _lognormal_size(
    rng: np.random.Generator, params: tuple[float, float, int, int], n: int
) -> np.ndarray:
    median, sigma, lo, hi = params
    return np.clip(np.round(median * np.exp(rng.normal(0.0, sigma, n))), lo, hi)


def _choose_kinds(rng: np.random.Generator, shares: dict[int, float], n: int) -> np.ndarray:
    kinds = np.array(list(shares))
    p = np.array(list(shares.values()))
    return kinds[rng.choice(len(kinds), size=n, p=p / p.sum())]


def _region_centre(region: int, regions: int) -> tuple[float, float]:
    # One fictional area for a single region; a grid over the country for national sets.
    if regions == 1:
        return 58.4, 46.2
    cols = 17
    return 46.0 + 4.0 * (region // cols), 32.0 + 5.5 * (region % cols)


def _offset(lat: np.ndarray, km: np.ndarray, angle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlat = km * np.cos(angle) / 111.0
    dlon = km * np.sin(angle) / (111.0 * np.cos(np.radians(lat)))
    return dlat, dlon


def build_register(
    rng: np.random.Generator, municipalities: int, schools: int, years: tuple[int, ...]
) -> Register:
    """Generate municipalities, schools and their cohorts."""
    if municipalities < 1 or schools < municipalities:
        raise ValueError(
            "Нужен хотя бы один муниципалитет и не меньше школ, чем муниципалитетов: "
            f"задано муниципалитетов {municipalities}, школ {schools}."
        )
    m_index = np.arange(municipalities)
    region = m_index // MUNICIPALITIES_PER_REGION
    regions = int(region.max()) + 1
    within = m_index % MUNICIPALITIES_PER_REGION
    block = np.bincount(region)[region]
    urban_count = np.maximum(1, np.round(block * URBAN_SHARE)).astype(np.int64)
    mun_urban = within < urban_count
    weights = np.where(within == 0, 2.5, np.where(mun_urban, 0.8, 1.0))
    weights = weights * np.exp(rng.normal(0.0, 0.25, municipalities))
    per_mun = _allocate(schools, weights)
    # Every municipality has at least one school.
    while (per_mun == 0).any():
        per_mun[np.argmax(per_mun)] -= 1
        per_mun[np.argmin(per_mun)] += 1
    mun_names, mun_stems = names.municipality_names(rng, mun_urban)
    town_centre = rng.random(municipalities) < 0.5

    # Municipal centres: the regional capital at the region centre, the rest around it.
    centre_lat = np.empty(municipalities)
    centre_lon = np.empty(municipalities)
    for r in range(regions):
        lat0, lon0 = _region_centre(r, regions)
        members = np.flatnonzero(region == r)
        km = 190.0 * np.sqrt(rng.random(len(members)))
        km[0] = 0.0
        dlat, dlon = _offset(
            np.full(len(members), lat0), km, rng.uniform(0, 2 * np.pi, len(members))
        )
        centre_lat[members] = lat0 + dlat
        centre_lon[members] = lon0 + dlon

    kind_parts: list[np.ndarray] = []
    role_parts: list[np.ndarray] = []  # 0 urban, 1 district centre, 2 village
    for m in range(municipalities):
        n = int(per_mun[m])
        if mun_urban[m]:
            kinds = _choose_kinds(rng, KIND_SHARE_URBAN, n)
            kinds[0] = SOSH if n < 3 else kinds[0]
            role = np.zeros(n, dtype=np.int64)
        else:
            n_centre = max(1, round(n * 0.1))
            centre_kinds = np.full(n_centre, SOSH)
            if n >= 12 and rng.random() < 0.35:
                centre_kinds[-1] = GYMNASIUM
            village = _choose_kinds(rng, KIND_SHARE_VILLAGE, n - n_centre)
            kinds = np.concatenate([centre_kinds, village])
            if n >= 15 and rng.random() < 0.4:
                kinds[-1] = EVENING
                role = np.concatenate([np.ones(n_centre), np.full(n - n_centre - 1, 2), [1]])
            else:
                role = np.concatenate([np.ones(n_centre), np.full(n - n_centre, 2)])
        kind_parts.append(kinds)
        role_parts.append(role.astype(np.int64))
    kind = np.concatenate(kind_parts).astype(np.int64)
    role = np.concatenate(role_parts)
    mun = np.repeat(m_index, per_mun)
    n_s = len(kind)

    target = np.zeros(n_s)
    for table, r in ((SIZE_URBAN, 0), (SIZE_CENTRE, 1), (SIZE_VILLAGE, 2)):
        for k, params in table.items():
            sel = (role == r) & (kind == k)
            target[sel] = _lognormal_size(rng, params, int(sel.sum()))

    # Straight-line distance from the municipal centre, then roads add 15–40 %.
    radius = np.where(role == 0, 9.0, np.where(role == 1, 2.5, 65.0))
    km = radius * np.sqrt(rng.random(n_s))
    km = np.where(role == 2, np.maximum(km, 4.0), km)
    dlat, dlon = _offset(centre_lat[mun], km, rng.uniform(0, 2 * np.pi, n_s))
    latitude = np.round(centre_lat[mun] + dlat, 5)
    longitude = np.round(centre_lon[mun] + dlon, 5)
    distance_km = np.round(km * rng.uniform(1.15, 1.4, n_s), 1)

    cohort, senior, first_cohort = _cohorts(rng, kind, target, years)

    school_id: list[str] = []
    school_name: list[str] = []
    settlement: list[str] = []
    stems = names.village_stems()
    form_draw = rng.random(n_s)
    start = 0
    for m in range(municipalities):
        n = int(per_mun[m])
        code = f"{region[m] + 1:02d}{within[m] + 1:02d}"
        school_id.extend(f"{code}{i + 1:03d}" for i in range(n))
        school_name.extend(
            _names_for_municipality(
                rng, bool(mun_urban[m]), mun_stems[m], kind[start : start + n],
                role[start : start + n], form_draw[start : start + n], stems,
            )
        )  # fmt: skip
        centre_settlement = "город" if (mun_urban[m] or town_centre[m]) else "село"
        settlement.extend(centre_settlement if role[start + i] < 2 else "село" for i in range(n))
        start += n

    return Register(
        municipality_names=mun_names,
        municipality_urban=mun_urban,
        school_id=school_id,
        name=school_name,
        municipality=mun,
        urban=mun_urban[mun],
        settlement=settlement,
        kind=kind,
        role=role,
        distance_km=distance_km,
        latitude=latitude,
        longitude=longitude,
        cohort=cohort,
        senior=senior,
        first_cohort=first_cohort,
        years=tuple(years),
    )


def _cohorts(
    rng: np.random.Generator, kind: np.ndarray, target: np.ndarray, years: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, int]:
    first = min(years) - FIRST_COHORT_OFFSET
    n_cohorts = max(years) - 1 - first + 1
    lo = np.array([GRADE_RANGE[k][0] for k in range(len(KINDS))])[kind]
    hi = np.array([GRADE_RANGE[k][1] for k in range(len(KINDS))])[kind]
    keep = np.array([SENIOR_KEEP.get(k, 0.0) for k in range(len(KINDS))])[kind]
    junior_grades = np.clip(np.minimum(hi, 9) - lo + 1, 0, None)
    senior_grades = np.clip(hi - np.maximum(lo, 10) + 1, 0, None)
    per_grade = target / (junior_grades + senior_grades * np.maximum(keep, 0.01))
    # Cohort sizes drift a little; small schools get empty years now and then.
    lam = per_grade[:, None] * np.exp(rng.normal(0.0, 0.12, (len(kind), n_cohorts)))
    cohort = rng.poisson(lam).astype(np.int64)
    senior = rng.binomial(cohort, keep[:, None]).astype(np.int64)
    return cohort, senior, first


def _names_for_municipality(
    rng: np.random.Generator,
    urban: bool,
    own_stem: str,
    kinds: np.ndarray,
    roles: np.ndarray,
    form_draw: np.ndarray,
    stems: tuple[list[str], np.ndarray],
) -> list[str]:
    out: list[str] = []
    if urban:
        numbers = rng.permutation(np.arange(1, int(len(kinds) * 1.3) + 3))
        counters = {GYMNASIUM: 0, LYCEUM: 0, BOARDING: 0, EVENING: 0}
        for i, k in enumerate(kinds):
            k = int(k)
            if k in counters:
                counters[k] += 1
                number = counters[k]
            else:
                number = int(numbers[i])
            form = names.legal_form(float(form_draw[i]), True, KINDS[k])
            out.append(names.urban_school_name(form, KINDS[k], number))
        return out
    pool, weights = stems
    weights = np.where(np.array(pool) == own_stem, 0.0, weights)
    many = len(kinds) > int((weights > 0).sum())
    villages = rng.choice(len(pool), size=len(kinds), replace=many, p=weights / weights.sum())
    centre_total = int(((roles == 1) & (kinds == SOSH)).sum())
    centre_number = 0
    for i, k in enumerate(kinds):
        k = int(k)
        form = names.legal_form(float(form_draw[i]), False, KINDS[k])
        if roles[i] == 1 and own_stem:
            number = None
            if k == SOSH and centre_total > 1:
                centre_number += 1
                number = centre_number
            out.append(names.rural_school_name(form, KINDS[k], own_stem, number))
        else:
            out.append(names.rural_school_name(form, KINDS[k], pool[int(villages[i])]))
    return out
