"""What an import will do (or did): counts, new names, warnings and every row error, in Russian."""

from __future__ import annotations

from dataclasses import dataclass, field

from opora.formats import RowError
from opora.formats.report import plural

ERRORS_IN_SUMMARY = 10


def number(value: int) -> str:
    """A count as Russians write it: thousands separated by a non-breaking space (4 870)."""
    return f"{value:,}".replace(",", "\u00a0")


def _rows_phrase(count: int, applied: bool) -> str:
    """«будет добавлено 120 строк» / «добавлена 1 строка» (agreeing with the number)."""
    verb = plural(count, "добавлена", "добавлено", "добавлено")
    noun = plural(count, "строка", "строки", "строк")
    if applied:
        return f"{verb.capitalize()} {number(count)} {noun}"
    return f"Будет {verb} {number(count)} {noun}"


@dataclass
class ImportPlan:
    """The outcome of checking a file against the database (and, once applied, of the import)."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_subjects: list[str] = field(default_factory=list)
    new_municipalities: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    region: str = ""
    new_region: bool = False
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.archived)

    def summary_text(self) -> str:
        """One Russian paragraph: «Будет добавлено 120 строк, изменено 3, без изменений 4 870.»"""
        if not self.ok:
            return self.rejection_text()
        head = _rows_phrase(self.created, self.applied)
        sentences = [
            f"{head}, изменено {number(self.updated)}, без изменений {number(self.unchanged)}."
        ]
        future = not self.applied
        if self.new_region:
            verb = "Будет создан" if future else "Создан"
            sentences.append(f"{verb} регион «{self.region}».")
        if self.new_municipalities:
            verb = "будут созданы" if future else "созданы"
            names = ", ".join(self.new_municipalities)
            sentences.append(f"Новые муниципалитеты ({verb}): {names}.")
        if self.new_subjects:
            verb = "будут созданы" if future else "созданы"
            sentences.append(f"Новые предметы ({verb}): {', '.join(self.new_subjects)}.")
        if self.archived:
            verb = "будут переведены" if future else "переведены"
            codes = ", ".join(self.archived)
            sentences.append(
                f"Школы региона, которых нет в файле, {verb} в архив: {codes} "
                f"(всего {len(self.archived)})."
            )
        return " ".join(sentences)

    def rejection_text(self) -> str:
        """Why the file is rejected: the error count and the first errors."""
        total = len(self.errors)
        found = plural(total, "найдена", "найдены", "найдено")
        noun = plural(total, "ошибка", "ошибки", "ошибок")
        lines = [
            f"Файл не загружен, база данных не изменена: {found} {total} {noun}. "
            "Исправьте файл и загрузите его снова."
        ]
        lines.extend(error.as_text() for error in self.errors[:ERRORS_IN_SUMMARY])
        if total > ERRORS_IN_SUMMARY:
            rest = total - ERRORS_IN_SUMMARY
            lines.append(f"… и ещё {rest} {plural(rest, 'ошибка', 'ошибки', 'ошибок')}.")
        return "\n".join(lines)

    def as_details(self) -> dict[str, object]:
        """The plan as plain data for the audit trail (counts and names only, no personal data)."""
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "new_subjects": self.new_subjects,
            "new_municipalities": self.new_municipalities,
            "archived": self.archived,
            "warnings": len(self.warnings),
        }


class ImportRejected(Exception):
    """The file was not imported (nothing written); `.plan` holds every error."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(plan.rejection_text())
        self.plan = plan
