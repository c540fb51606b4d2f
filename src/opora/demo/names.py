"""Fictional Russian place and school names for the demo region.

Every name is composed from generic roots (trees, birds, animals, landscape words) and
prefixes; none is taken from a real register. A coincidence with a real place is accidental.
"""

from __future__ import annotations

import numpy as np

# Adjective stems: stem + "ская" / "ский" gives a village or district adjective.
# Names of the schools quoted in the seed documents are deliberately absent.
STEMS: tuple[str, ...] = (
    "Берёзов", "Соснов", "Ключев", "Озёр", "Камен", "Рябинов", "Липов", "Дубров",
    "Ольхов", "Кедров", "Елов", "Осинов", "Калинов", "Малинов", "Черёмухов", "Вишнёв",
    "Грибов", "Ягоднин", "Лугов", "Полев", "Ручьёв", "Родников", "Заречен", "Заозёр",
    "Песчан", "Бобров", "Медведев", "Журавлёв", "Соколов", "Орлов", "Гусев", "Утин",
    "Глухарёв", "Тетерев", "Снегирёв", "Щеглов", "Скворцов", "Ястребов", "Филин", "Соболев",
    "Горностаев", "Лосев", "Оленев", "Барсуков", "Ежов", "Ракитин", "Вербов", "Тополев",
    "Клёнов", "Ясенев", "Васильков", "Ромашков", "Колокольцев", "Холмов", "Горков", "Долин",
    "Логов", "Полян", "Бор", "Боров", "Мостов", "Перевоз", "Бродов", "Кузнецов",
    "Гончаров", "Плотников", "Бондарев", "Пастухов", "Рыбаков", "Покров", "Николь", "Успен",
    "Вознесен", "Светлов", "Студенцов", "Кремнев", "Ивов", "Лебедев", "Зайцев", "Куликов",
)  # fmt: skip

# Schools named in the seed documents are real: no generated name may repeat them.
REAL_SCHOOL_ADJECTIVES = frozenset(
    {
        "Павловская", "Сахаптинская", "Сережская", "Краснополянская", "Преображенская",
        "Степновская", "Крутоярская", "Гляденская", "Сохновская", "Подсосенская",
    }
)  # fmt: skip

PREFIXES: tuple[str, ...] = (
    "", "Ново", "Старо", "Верхне", "Нижне", "Мало", "Бело", "Красно",
    "Северо", "Южно", "Западно", "Восточно",
)  # fmt: skip

# Curated names so that the default demo region reads well; generated names follow.
DEMO_CITIES: tuple[str, ...] = ("Светлоярск", "Краснозаводск")
DEMO_DISTRICTS: tuple[str, ...] = (
    "Берёзов", "Соснов", "Озёр", "Ключев", "Рябинов", "Кедров", "Липов", "Заречен",
    "Журавлёв", "Ольхов", "Лосев", "Покров",
)  # fmt: skip

RURAL_KINDS_OF_MUNICIPALITY: tuple[str, ...] = ("муниципальный район", "муниципальный округ")


def adjective_stems() -> list[str]:
    """All prefixed stems, e.g. ``"Новоберёзов"``, in a fixed order."""
    stems = [prefix + (stem.lower() if prefix else stem) for prefix in PREFIXES for stem in STEMS]
    return [s for s in stems if f"{s}ская" not in REAL_SCHOOL_ADJECTIVES]


VILLAGE_PREFIXES: tuple[str, ...] = ("Ново", "Старо", "Верхне", "Нижне", "Мало", "Бело", "Красно")


def village_stems() -> tuple[list[str], np.ndarray]:
    """Stems for village schools and their sampling weights: plain stems first.

    A plain stem («Сосновская») is eight times as likely as each prefixed one
    («Верхнесосновская»), so a district reads like a real one.
    """
    stems = list(STEMS)
    weights = [8.0] * len(STEMS)
    for prefix in VILLAGE_PREFIXES:
        prefixed = [prefix + stem.lower() for stem in STEMS]
        prefixed = [s for s in prefixed if f"{s}ская" not in REAL_SCHOOL_ADJECTIVES]
        stems.extend(prefixed)
        weights.extend([1.0] * len(prefixed))
    return stems, np.array(weights)


def _unique(names: list[str], count: int) -> list[str]:
    # Beyond the capacity of the pool a number keeps names unique (national file sets only).
    out: list[str] = []
    seen: set[str] = set()
    round_number = 1
    while len(out) < count:
        for name in names:
            candidate = name if round_number == 1 else f"{name} № {round_number}"
            if candidate not in seen:
                seen.add(candidate)
                out.append(candidate)
                if len(out) == count:
                    break
        round_number += 1
    return out


def municipality_names(rng: np.random.Generator, urban: np.ndarray) -> tuple[list[str], list[str]]:
    """Names and own stems of municipalities; ``urban[i]`` says whether it is a city.

    Returns (names, stems): a rural district «Берёзовский муниципальный район» has stem
    «Берёзов», a city «город Светлоярск» has stem «Светлоярск» (used for its schools).
    """
    all_stems = adjective_stems()
    order = rng.permutation(len(all_stems))
    generated = [all_stems[i] for i in order]
    rural_pool = list(DEMO_DISTRICTS) + [s for s in generated if s not in DEMO_DISTRICTS]
    rural_names = [
        f"{stem}ский {kind}" for kind in RURAL_KINDS_OF_MUNICIPALITY for stem in rural_pool
    ]
    rural_stems = [stem for _ in RURAL_KINDS_OF_MUNICIPALITY for stem in rural_pool]
    city_pool = list(DEMO_CITIES) + [f"{s}ск" for s in reversed(generated)]
    n_urban = int(urban.sum())
    n_rural = len(urban) - n_urban
    cities = _unique(city_pool, n_urban)
    districts = _unique(rural_names, n_rural)
    stem_of = dict(zip(rural_names, rural_stems, strict=True))
    names: list[str] = []
    stems: list[str] = []
    ci = ri = 0
    for is_urban in urban:
        if is_urban:
            names.append(f"город {cities[ci]}")
            stems.append(cities[ci])
            ci += 1
        else:
            names.append(districts[ri])
            stems.append(stem_of.get(districts[ri].split(" № ")[0], ""))
            ri += 1
    return names, stems


LEGAL_FORMS_URBAN = (("МБОУ", 0.6), ("МАОУ", 0.35), ("МКОУ", 0.05))
LEGAL_FORMS_RURAL = (("МБОУ", 0.55), ("МКОУ", 0.4), ("МАОУ", 0.05))

KIND_LABEL = {
    "СОШ": "СОШ",
    "ООШ": "ООШ",
    "НОШ": "НОШ",
    "вечерняя": "вечерняя школа",
    "школа-интернат": "школа-интернат",
}


def legal_form(u: float, urban: bool, kind: str) -> str:
    """Organisational form for a uniform draw ``u``: municipal (МБОУ/МКОУ/МАОУ) or regional.

    >>> legal_form(0.1, True, "СОШ"), legal_form(0.1, False, "школа-интернат")
    ('МБОУ', 'ГКОУ')
    """
    if kind == "школа-интернат":
        return "ГКОУ" if u < 0.6 else "ГБОУ"
    forms = LEGAL_FORMS_URBAN if urban else LEGAL_FORMS_RURAL
    total = 0.0
    for label, weight in forms:
        total += weight
        if u < total:
            return label
    return forms[-1][0]


def urban_school_name(form: str, kind: str, number: int) -> str:
    """«МБОУ «СОШ № 12»», «МАОУ «Гимназия № 3»», «ГКОУ «Школа-интернат № 2»»."""
    label = {
        "гимназия": "Гимназия",
        "лицей": "Лицей",
        "СОШ": "СОШ",
        "ООШ": "ООШ",
        "НОШ": "Начальная школа",
        "вечерняя": "Вечерняя (сменная) школа",
        "школа-интернат": "Школа-интернат",
    }[kind]
    return f"{form} «{label} № {number}»"


def rural_school_name(form: str, kind: str, stem: str, number: int | None = None) -> str:
    """«МБОУ «Сосновская СОШ»», «МКОУ «Ключевская ООШ»», «МБОУ «Берёзовская СОШ № 2»»."""
    label = {
        "гимназия": "гимназия",
        "лицей": "лицей",
    }.get(kind, KIND_LABEL.get(kind, kind))
    suffix = f" № {number}" if number is not None else ""
    return f"{form} «{stem}ская {label}{suffix}»"
