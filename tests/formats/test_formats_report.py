"""Errors as Russian text."""

from __future__ import annotations

from opora.formats import ParseResult, RowError
from opora.formats.report import plural


def test_it_writes_every_part_of_an_error_that_is_known():
    assert RowError(17, "Участников", "-3", "число не может быть отрицательным.").as_text() == (
        "Строка 17, столбец «Участников», значение «-3»: число не может быть отрицательным."
    )
    assert RowError(5, "Год", None, "ячейка пуста.").as_text() == (
        "Строка 5, столбец «Год»: ячейка пуста."
    )
    assert RowError(5, None, None, "повторяет строку 2.").as_text() == (
        "Строка 5: повторяет строку 2."
    )
    assert RowError(None, "Год", None, "столбец пуст.").as_text() == "Столбец «Год»: столбец пуст."
    assert RowError(None, None, None, "файл пуст.").as_text() == "Файл пуст."


def test_it_shortens_a_very_long_value():
    text = RowError(2, None, "x" * 200, "строка не разобрана.").as_text()

    assert text == "Строка 2, значение «" + "x" * 79 + "…»: строка не разобрана."


def test_russian_plurals():
    forms = ("ошибка", "ошибки", "ошибок")
    assert [plural(n, *forms) for n in (0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111)] == [
        "ошибок", "ошибка", "ошибки", "ошибки", "ошибок", "ошибок", "ошибок", "ошибок",
        "ошибка", "ошибки", "ошибок", "ошибка", "ошибок",
    ]  # fmt: skip


def test_the_report_of_a_good_result_is_empty():
    assert ParseResult("schools", None, [], []).error_report() == ""
    assert not ParseResult("schools", None, [], []).ok


def test_the_report_counts_in_russian():
    errors = [RowError(i, None, None, "плохо.") for i in range(2, 5)]

    report = ParseResult("schools", None, errors, []).error_report(limit=2)
    assert report.splitlines() == [
        "Файл не принят: найдены 3 ошибки. Исправьте файл и загрузите его снова.",
        "Строка 2: плохо.",
        "Строка 3: плохо.",
        "… и ещё 1 ошибка (показаны первые 2).",
    ]
