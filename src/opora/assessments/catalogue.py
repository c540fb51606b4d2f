"""The default catalogue of assessment procedures every installation starts with."""

from __future__ import annotations

from typing import Any

DEFAULT_PROCEDURES: tuple[tuple[str, str, str], ...] = (
    ("ВПР", "Всероссийские проверочные работы", "graded"),
    ("ОГЭ", "Основной государственный экзамен", "graded"),
    ("ЕГЭ", "Единый государственный экзамен", "threshold"),
    ("КДР", "Краевые (региональные) диагностические работы", "graded"),
)


def ensure_default_procedures(procedure_model: Any) -> None:
    """Create the default procedures that are missing; never touches existing ones."""
    for name, full_name, scoring in DEFAULT_PROCEDURES:
        procedure_model.objects.get_or_create(
            name=name, defaults={"full_name": full_name, "scoring": scoring}
        )


def _after_migrate(sender: Any, **kwargs: Any) -> None:
    # A database flush (tests, `flush`) empties the catalogue; post_migrate puts it back.
    from opora.assessments.models import Procedure

    ensure_default_procedures(Procedure)
