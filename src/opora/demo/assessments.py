"""Assessment results per school × year × procedure × subject × grade.

Marks follow an ordered-logit model: a pupil's latent performance is logistic around the
cell's mean ``mu`` (school ability + school-year shift + school-subject effect + subject
offset + regional year effect + noise) and the cut points of the procedure turn it into
«2»…«5». Counts are drawn with sequential binomials, so a class of 6 is as noisy as a real
one. ЕГЭ scores are drawn per participant (normal around the subject mean + 9 points per
unit of ability, 0–100), and ``below_min`` / ``mean_score`` are aggregated from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from opora.demo.profiles import COLLAPSE, INFLATED, LEADER, Traits
from opora.demo.register import Register

RUSSIAN, MATHS = "Русский язык", "Математика"
VPR_CUTS = (-2.3, -0.2, 1.8)  # at mu = 0: 9 % «2», 36 % «3», 41 % «4», 14 % «5»
OGE_CUTS = (-2.75, -0.4, 1.5)
INFLATED_MU = 2.2  # ВПР of an inflated school: ≈ 1 % «2», 60 % «5»
COLLAPSED_MU = 1.2  # ВПР after a collapse: ≈ 3 % «2»
EGE_POINTS_PER_ABILITY = 9.0
# ЕГЭ subject: (mean score at ability 0, sd of pupils' scores, minimum threshold)
EGE_SUBJECTS: dict[str, tuple[float, float, int]] = {
    RUSSIAN: (69.0, 14.0, 24),
    "Математика (профильная)": (56.0, 17.0, 27),
    "Обществознание": (56.0, 15.0, 42),
    "Биология": (52.0, 16.0, 36),
    "История": (58.0, 17.0, 32),
    "Физика": (55.0, 14.0, 36),
}
EGE_SHARE = {  # share of grade 11 taking the subject
    RUSSIAN: 0.98,
    "Математика (профильная)": 0.45,
    "Обществознание": 0.45,
    "Биология": 0.2,
    "История": 0.15,
    "Физика": 0.2,
}
OGE_SUBJECTS = {  # subject: (share of grade 9 taking it, offset of mu)
    RUSSIAN: (0.97, 0.25),
    MATHS: (0.97, -0.1),
    "Обществознание": (0.65, -0.1),
    "География": (0.55, -0.05),
}
VPR_EXTRA_SUBJECTS = ("История", "Биология", "География")
VPR_EXTRA = {grade: VPR_EXTRA_SUBJECTS for grade in range(5, 9)}  # one sampled per grade
VPR_EXTRA_OFFSET = {"История": -0.1, "Биология": 0.0, "География": 0.1}
VPR_PARTICIPATION = 0.93


@dataclass(frozen=True)
class Template:
    procedure: str
    subject: str
    grade: int
    share: float  # expected participants / enrolled
    offset: float
    extra: bool = False  # ВПР subject assigned to a sample of classes


def templates() -> list[Template]:
    """Every procedure × subject × grade the demo region writes, in output order."""
    out = [
        Template("ВПР", RUSSIAN, 4, VPR_PARTICIPATION, 0.0),
        Template("ВПР", MATHS, 4, VPR_PARTICIPATION, 0.1),
        Template("ВПР", "Окружающий мир", 4, VPR_PARTICIPATION, 0.5),
    ]
    for grade in range(5, 9):
        out.append(Template("ВПР", RUSSIAN, grade, VPR_PARTICIPATION, -0.05 * (grade - 5)))
        out.append(Template("ВПР", MATHS, grade, VPR_PARTICIPATION, -0.1 - 0.1 * (grade - 5)))
        for subject in VPR_EXTRA[grade]:
            out.append(
                Template("ВПР", subject, grade, VPR_PARTICIPATION, VPR_EXTRA_OFFSET[subject], True)
            )
    for subject, (share, offset) in OGE_SUBJECTS.items():
        out.append(Template("ОГЭ", subject, 9, share, offset))
    for subject, share in EGE_SHARE.items():
        out.append(Template("ЕГЭ", subject, 11, share, 0.0))
    return out


@dataclass
class Cells:
    """One entry per results row, plus what the student generator needs."""

    school: np.ndarray
    year: np.ndarray
    template: np.ndarray
    participants: np.ndarray
    pool: np.ndarray  # pupils the participants are drawn from (cohort or its seniors)
    marks: np.ndarray  # int[cell, 4]: «2»…«5» (zeros for ЕГЭ)
    honest: np.ndarray  # float[cell, 4]: honest mark probabilities (for school journals)
    inflated: np.ndarray  # bool[cell]
    scores: np.ndarray  # ЕГЭ scores of all ЕГЭ cells, concatenated in cell order
    score_start: np.ndarray  # int[cell]: offset into scores (-1 for graded cells)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _mark_probabilities(mu: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Ordered logit: rows of P(«2»), P(«3»), P(«4»), P(«5»)."""
    cum = _sigmoid(cuts - mu[:, None])  # P(mark <= 2), P(mark <= 3), P(mark <= 4)
    p = np.empty((len(mu), 4))
    p[:, 0] = cum[:, 0]
    p[:, 1:3] = cum[:, 1:] - cum[:, :-1]
    p[:, 3] = 1.0 - cum[:, 2]
    return p


def _draw_marks(rng: np.random.Generator, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Multinomial counts by sequential binomials (vectorised over cells)."""
    marks = np.zeros((len(n), 4), dtype=np.int64)
    left = n.copy()
    mass = np.ones(len(n))
    for j in range(3):
        q = np.clip(p[:, j] / np.maximum(mass, 1e-12), 0.0, 1.0)
        marks[:, j] = rng.binomial(left, q)
        left -= marks[:, j]
        mass -= p[:, j]
    marks[:, 3] = left
    return marks


def draw_cells(rng: np.random.Generator, register: Register, traits: Traits) -> Cells:
    """Draw participants and marks/scores for every school × year × template."""
    plan = templates()
    years = register.years
    n_schools = register.size
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("school", "year", "template", "n", "e")}
    for yi, year in enumerate(years):
        enrolled = {g: register.enrolled(year, g) for g in range(4, 12)}
        chosen: dict[tuple[int, str], np.ndarray] = {}
        for grade, subjects in VPR_EXTRA.items():
            pick = rng.integers(0, len(subjects), n_schools)
            for j, subject in enumerate(subjects):
                chosen[(grade, subject)] = pick == j
        for ti, t in enumerate(plan):
            pool = enrolled[t.grade]
            n = rng.binomial(pool, t.share)
            if t.extra:
                n = np.where(chosen[(t.grade, t.subject)], n, 0)
            keep = np.flatnonzero(n > 0)
            parts["school"].append(keep)
            parts["year"].append(np.full(len(keep), yi, dtype=np.int64))
            parts["template"].append(np.full(len(keep), ti, dtype=np.int64))
            parts["n"].append(n[keep])
            parts["e"].append(pool[keep])
    school = np.concatenate(parts["school"])
    year_index = np.concatenate(parts["year"])
    template = np.concatenate(parts["template"])
    participants = np.concatenate(parts["n"]).astype(np.int64)
    pool = np.concatenate(parts["e"]).astype(np.int64)
    order = np.lexsort((template, year_index, school))
    school, year_index, template = school[order], year_index[order], template[order]
    participants, pool = participants[order], pool[order]

    procedure = np.array([t.procedure for t in plan])[template]
    subject_keys = sorted({(t.procedure, t.subject) for t in plan})
    key_of = {k: i for i, k in enumerate(subject_keys)}
    template_key = np.array([key_of[(t.procedure, t.subject)] for t in plan])
    subject_effect = rng.normal(0.0, 0.2, (n_schools, len(subject_keys)))
    regional = rng.normal(0.0, 0.1, (len(years), len(plan)))
    offsets = np.array([t.offset for t in plan])
    mu = (
        traits.ability[school]
        + traits.year_shift[school, year_index]
        + subject_effect[school, template_key[template]]
        + offsets[template]
        + regional[year_index, template]
        + rng.normal(0.0, 0.15, len(school))
    )

    graded = procedure != "ЕГЭ"
    cuts = np.where((procedure == "ОГЭ")[:, None], np.array(OGE_CUTS), np.array(VPR_CUTS))
    honest = _mark_probabilities(mu, cuts)
    year_value = np.array(years)[year_index]
    profile = traits.profile[school]
    vpr = procedure == "ВПР"
    inflated = vpr & (profile == INFLATED)
    collapsed = vpr & (profile == COLLAPSE) & (year_value >= traits.event_year[school])
    fake = np.flatnonzero(inflated | collapsed)
    fake_mu = np.where(inflated[fake], INFLATED_MU, COLLAPSED_MU) + rng.normal(0.0, 0.2, len(fake))
    shown = honest.copy()
    shown[fake] = _mark_probabilities(fake_mu, cuts[fake])
    marks = _draw_marks(rng, participants, shown)
    marks[~graded] = 0
    leader = graded & (profile == LEADER)
    allowed = participants // 20  # at most 5 % «2» in every cell of a leader
    excess = np.where(leader, np.maximum(marks[:, 0] - allowed, 0), 0)
    marks[:, 0] -= excess
    marks[:, 1] += excess

    scores, score_start = _draw_scores(rng, plan, template, participants, mu, profile, graded)
    return Cells(
        school=school,
        year=year_value,
        template=template,
        participants=participants,
        pool=pool,
        marks=marks,
        honest=honest,
        inflated=inflated | collapsed,
        scores=scores,
        score_start=score_start,
    )


def _draw_scores(
    rng: np.random.Generator,
    plan: list[Template],
    template: np.ndarray,
    participants: np.ndarray,
    mu: np.ndarray,
    profile: np.ndarray,
    graded: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    subject_mean = np.array([EGE_SUBJECTS.get(t.subject, (0, 1, 0))[0] for t in plan])
    subject_sd = np.array([EGE_SUBJECTS.get(t.subject, (0, 1, 0))[1] for t in plan])
    minimum = np.array([EGE_SUBJECTS.get(t.subject, (0, 1, 0))[2] for t in plan])
    ege = np.flatnonzero(~graded)
    counts = participants[ege]
    t = template[ege]
    centre = subject_mean[t] + EGE_POINTS_PER_ABILITY * mu[ege]
    raw = rng.normal(np.repeat(centre, counts), np.repeat(subject_sd[t], counts))
    scores = np.clip(np.rint(raw), 0, 100).astype(np.int64)
    # Leaders: no one below the threshold (the 5 % rule must hold for every cell).
    floor = np.repeat(np.where(profile[ege] == LEADER, minimum[t], 0), counts)
    scores = np.maximum(scores, floor)
    start = np.full(len(participants), -1, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]) if len(counts) else np.zeros(0)
    start[ege] = offsets
    return scores, start


def results_table(register: Register, cells: Cells) -> pa.Table:
    """The results interchange table (see data-formats.md) from drawn cells."""
    plan = templates()
    procedure_names = pa.array([t.procedure for t in plan], pa.string())
    subject_names = pa.array([t.subject for t in plan], pa.string())
    grades = np.array([t.grade for t in plan], dtype=np.int64)
    minimum = np.array([EGE_SUBJECTS.get(t.subject, (0, 1, 0))[2] for t in plan])
    template_index = pa.array(cells.template)
    ege = cells.score_start >= 0
    n = cells.participants
    below = np.zeros(len(n), dtype=np.int64)
    mean_score = np.zeros(len(n))
    if ege.any():
        idx = np.flatnonzero(ege)
        counts = n[idx]
        starts = cells.score_start[idx]
        below_flags = cells.scores < np.repeat(minimum[cells.template[idx]], counts)
        below[idx] = np.add.reduceat(below_flags.astype(np.int64), starts)
        mean_score[idx] = np.add.reduceat(cells.scores, starts) / counts
    mark_values = np.array([2, 3, 4, 5])
    graded_mean = (cells.marks * mark_values).sum(axis=1) / np.maximum(n, 1)
    mean_score = np.where(ege, np.round(mean_score, 1), np.round(graded_mean, 2))
    graded_mask = pa.array(ege)  # null where not applicable
    ege_mask = pa.array(~ege)

    def masked(values: np.ndarray, mask: pa.Array) -> pa.Array:
        return pa.array(values, pa.int64(), mask=mask.to_numpy(zero_copy_only=False))

    return pa.table(
        {
            "school_id": pa.array(register.school_id, pa.string()).take(pa.array(cells.school)),
            "year": pa.array(cells.year.astype(np.int64)),
            "procedure": procedure_names.take(template_index),
            "subject": subject_names.take(template_index),
            "grade": pa.array(grades[cells.template]),
            "participants": pa.array(n),
            "mark_2": masked(cells.marks[:, 0], graded_mask),
            "mark_3": masked(cells.marks[:, 1], graded_mask),
            "mark_4": masked(cells.marks[:, 2], graded_mask),
            "mark_5": masked(cells.marks[:, 3], graded_mask),
            "below_min": masked(below, ege_mask),
            "mean_score": pa.array(mean_score, pa.float64()),
        }
    )
