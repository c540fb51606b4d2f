"""One malformed file per rule: the exact rows, columns, values and Russian reasons."""

from __future__ import annotations

from formats_fixtures import (
    DATA,
    RESULTS_HEADER,
    SCHOOLS_HEADER,
    STUDENTS_HEADER,
    YEARS,
    csv_bytes,
)

from opora.formats import DEFAULT_PROCEDURES, Procedure, RowError, read_table


def texts(result) -> list[str]:
    assert not result.ok and result.table is None
    return [error.as_text() for error in result.errors]


def results_file(*rows: str) -> bytes:
    return csv_bytes(RESULTS_HEADER, *rows)


def test_it_names_every_error_of_a_bad_results_file():
    result = read_table("results", DATA / "results_bad.csv", year_range=YEARS)

    assert texts(result) == [
        "Строка 3, столбец «Год», значение «24»: год должен быть от 2000 до 2025.",
        "Строка 3, столбец «Класс», значение «12»: класс должен быть от 1 до 11.",
        "Строка 4, столбец «Код ОО»: ячейка пуста, а столбец обязателен. Заполните её.",
        "Строка 4, столбец «Процедура», значение «Олимпиада»: неизвестная процедура. "
        "Известные процедуры: ВПР, ОГЭ, ЕГЭ, КДР. Исправьте название или добавьте "
        "процедуру в справочник.",
        "Строка 4, столбец «Участников», значение «-3»: число участников не может быть "
        "отрицательным.",
        "Строка 5, столбец «Участников», значение «21»: сумма отметок «2»–«5» "
        "(7 + 9 + 4 + 2 = 22) не равна числу участников (21). Исправьте количества отметок "
        "или число участников.",
        "Строка 5, столбец «Средний балл», значение «два»: это не число. Укажите число "
        "(дробную часть — через точку или запятую).",
        "Строка 6, столбец «Ниже минимального порога», значение «20»: участников ниже "
        "минимального порога больше, чем всех участников (18).",
        "Строка 7: повторяет строку 2: совпадают код ОО, год, процедура, предмет и класс "
        "(0401001, 2024, ВПР, Математика, 5). Оставьте одну из строк.",
    ]


def test_it_reports_a_missing_required_column_by_name():
    result = read_table(
        "results", csv_bytes("Код ОО;Год;Процедура;Предмет;Класс", "1;2024;ВПР;М;5")
    )

    assert texts(result) == [
        "В файле нет обязательного столбца «Участников» (participants). "
        "Добавьте его в первую строку."
    ]


def test_it_reports_a_duplicated_column():
    text = csv_bytes("Код ОО;Год;school_id", "1;2024;1")
    result = read_table("context", text)

    assert result.errors == [
        RowError(
            1,
            "Код ОО",
            None,
            "столбец встречается в заголовке несколько раз (столбцы 1 и 3). Оставьте один.",
        )
    ]


def test_it_reports_an_empty_required_cell_with_the_header_as_written():
    text = csv_bytes("school_id;year", "0401001;", " ;2024")
    result = read_table("context", text, year_range=YEARS)

    assert texts(result) == [
        "Строка 2, столбец «year»: ячейка пуста, а столбец обязателен. Заполните её.",
        "Строка 3, столбец «school_id»: ячейка пуста, а столбец обязателен. Заполните её.",
    ]


def test_it_rejects_fractional_and_negative_counts():
    result = read_table(
        "results",
        results_file(
            "1;2024;ВПР;Математика;5;12,5;1;1;1;1;;",
            "2;2024;ВПР;Математика;5;4;-1;3;1;1;;",
        ),
        year_range=YEARS,
    )

    assert texts(result) == [
        "Строка 2, столбец «Участников», значение «12,5»: нужно целое число.",
        "Строка 3, столбец «Отметка «2»», значение «-1»: количество отметок «2» не может "
        "быть отрицательным.",
    ]


def test_it_rejects_marks_that_do_not_sum_to_participants():
    result = read_table(
        "results", results_file("0401001;2024;ОГЭ;Математика;9;97;3;30;41;22;;"), year_range=YEARS
    )

    assert texts(result) == [
        "Строка 2, столбец «Участников», значение «97»: сумма отметок «2»–«5» "
        "(3 + 30 + 41 + 22 = 96) не равна числу участников (97). Исправьте количества "
        "отметок или число участников."
    ]


def test_it_rejects_below_min_above_participants():
    result = read_table(
        "results", results_file("0401001;2024;ЕГЭ;Физика;11;5;;;;;6;"), year_range=YEARS
    )

    assert texts(result) == [
        "Строка 2, столбец «Ниже минимального порога», значение «6»: участников ниже "
        "минимального порога больше, чем всех участников (5)."
    ]


def test_it_requires_below_min_for_a_threshold_procedure():
    result = read_table(
        "results", results_file("0401001;2024;ЕГЭ;Физика;11;5;;;;;;60,2"), year_range=YEARS
    )

    assert texts(result) == [
        "Строка 2, столбец «Ниже минимального порога»: ячейка пуста, а для процедуры «ЕГЭ» "
        "она обязательна (процедура с минимальным порогом)."
    ]


def test_it_requires_every_mark_for_a_graded_procedure():
    result = read_table(
        "results", results_file("0401001;2024;впр;История;5;5;1;;3;1;;"), year_range=YEARS
    )

    assert texts(result) == [
        "Строка 2, столбец «Отметка «3»»: ячейка пуста, а для процедуры «ВПР» она обязательна "
        "(процедура с отметками «2»–«5»)."
    ]


def test_it_requires_the_marks_columns_when_graded_rows_exist():
    text = csv_bytes(
        "school_id,year,procedure,subject,grade,participants,below_min",
        "1,2024,ЕГЭ,Физика,11,5,1",
        "1,2024,ВПР,История,5,5,",
        "1,2024,ОГЭ,История,9,5,",
    )
    result = read_table("results", text, year_range=YEARS)

    expected_tail = ", а он нужен для процедур ВПР, ОГЭ (строки 3, 4). Добавьте столбец."
    assert texts(result) == [
        f"В файле нет столбца «Отметка «{m}»» (mark_{m}){expected_tail}" for m in (2, 3, 4, 5)
    ]


def test_it_rejects_percentages_outside_0_to_100():
    text = csv_bytes("school_id;year;low_income;foster_care", "1;2024;100,5;-0,1", "2;2024;100;0")
    result = read_table("context", text, year_range=YEARS)

    assert texts(result) == [
        "Строка 2, столбец «low_income», значение «100,5»: доля должна быть от 0 до 100 "
        "(в процентах).",
        "Строка 2, столбец «foster_care», значение «-0,1»: доля должна быть от 0 до 100 "
        "(в процентах).",
    ]


def test_it_explains_a_percent_sign_in_a_percentage():
    text = csv_bytes("school_id;year;low_income", "1;2024;12,5%")
    result = read_table("context", text, year_range=YEARS)

    assert texts(result) == [
        "Строка 2, столбец «low_income», значение «12,5%»: уберите знак «%»: доля указывается "
        "числом от 0 до 100, например 12,5."
    ]


def test_it_rejects_text_where_a_number_is_expected():
    text = csv_bytes("school_id;year;social_index", "1;2024;высокий", "2;2024;nan", "3;2024;1e999")
    result = read_table("context", text, year_range=YEARS)

    reason = "это не число. Укажите число (дробную часть — через точку или запятую)."
    assert texts(result) == [
        f"Строка 2, столбец «social_index», значение «высокий»: {reason}",
        f"Строка 3, столбец «social_index», значение «nan»: {reason}",
        f"Строка 4, столбец «social_index», значение «1e999»: {reason}",
    ]


def test_it_rejects_a_grade_outside_1_to_11():
    result = read_table(
        "results",
        results_file(
            "1;2024;ВПР;Математика;0;4;1;1;1;1;;",
            "1;2024;ВПР;Математика;11;4;1;1;1;1;;",
            "1;2024;ВПР;Математика;1;4;1;1;1;1;;",
        ),
        year_range=YEARS,
    )

    assert texts(result) == [
        "Строка 2, столбец «Класс», значение «0»: класс должен быть от 1 до 11."
    ]


def test_it_rejects_a_wrong_year():
    text = csv_bytes("Код ОО;Год", "1;1999", "2;2000", "3;2025", "4;2026", "5;2024,5", "6;'24")
    result = read_table("context", text, year_range=YEARS)

    assert texts(result) == [
        "Строка 2, столбец «Год», значение «1999»: год должен быть от 2000 до 2025.",
        "Строка 5, столбец «Год», значение «2026»: год должен быть от 2000 до 2025.",
        "Строка 6, столбец «Год», значение «2024,5»: год должен быть целым числом, например 2024.",
        "Строка 7, столбец «Год», значение «'24»: это не число. Укажите число (дробную часть — "
        "через точку или запятую).",
    ]


def test_the_default_years_run_from_2000_to_next_year():
    import datetime as dt

    next_year = dt.date.today().year + 1
    text = csv_bytes("Код ОО;Год", f"1;{next_year}", f"2;{next_year + 1}")
    result = read_table("context", text)

    assert [(e.row, e.value) for e in result.errors] == [(3, str(next_year + 1))]


def test_it_rejects_an_unknown_procedure_listing_the_known_ones():
    procedures = {**DEFAULT_PROCEDURES, "РДР": Procedure("РДР", "graded")}
    text = results_file(
        "1;2024;НИКО;Математика;5;4;1;1;1;1;;", "1;2024;рдр;Математика;5;4;1;1;1;1;;"
    )
    result = read_table("results", text, procedures=procedures, year_range=YEARS)

    assert texts(result) == [
        "Строка 2, столбец «Процедура», значение «НИКО»: неизвестная процедура. Известные "
        "процедуры: ВПР, ОГЭ, ЕГЭ, КДР, РДР. Исправьте название или добавьте процедуру в "
        "справочник."
    ]


def test_a_regional_threshold_procedure_needs_below_min():
    procedures = {"ГВЭ": Procedure("ГВЭ", "threshold")}
    text = results_file("1;2024;ГВЭ;Математика;11;4;;;;;;", "1;2024;гвэ;Физика;11;4;;;;;0;")
    result = read_table("results", text, procedures=procedures, year_range=YEARS)

    assert [(e.row, e.column) for e in result.errors] == [(2, "Ниже минимального порога")]


def test_it_rejects_a_school_missing_from_the_register():
    text = results_file(
        "0401001;2024;ВПР;Математика;5;4;1;1;1;1;;", "0409999;2024;ВПР;Математика;5;4;1;1;1;1;;"
    )
    result = read_table("results", text, known_school_ids={"0401001"}, year_range=YEARS)

    assert texts(result) == [
        "Строка 3, столбец «Код ОО», значение «0409999»: код ОО не найден в реестре школ. "
        "Сначала загрузите реестр школ или исправьте код."
    ]


def test_an_empty_register_rejects_every_school():
    text = csv_bytes("Код ОО;Год", "0401001;2024")
    result = read_table("context", text, known_school_ids=[], year_range=YEARS)

    assert [e.row for e in result.errors] == [2]


def test_it_rejects_a_settlement_other_than_city_or_village():
    text = csv_bytes(
        SCHOOLS_HEADER,
        "1;МБОУ «СОШ № 1»;Чойский район;ГОРОД;100",
        "2;МБОУ «СОШ № 2»;Чойский район;пгт;100",
        "3;МБОУ «СОШ № 3»;Чойский район;;100",
    )
    result = read_table("schools", text)

    assert texts(result) == [
        "Строка 3, столбец «Тип поселения», значение «пгт»: тип поселения должен быть «город» "
        "или «село».",
        "Строка 4, столбец «Тип поселения»: ячейка пуста, а столбец обязателен. Заполните её.",
    ]


def test_it_rejects_a_negative_number_of_students():
    text = csv_bytes(SCHOOLS_HEADER, "1;МБОУ «СОШ № 1»;Чойский район;село;-5")
    result = read_table("schools", text)

    assert texts(result) == [
        "Строка 2, столбец «Обучающихся», значение «-5»: число обучающихся не может быть "
        "отрицательным."
    ]


def test_it_rejects_coordinates_out_of_range():
    text = csv_bytes(
        SCHOOLS_HEADER + ";Широта;Долгота;Расстояние до центра, км",
        "1;МБОУ «СОШ № 1»;Чойский район;село;100;91;86;-2",
        "2;МБОУ «СОШ № 2»;Чойский район;село;100;-90;-180,5;0",
    )
    result = read_table("schools", text)

    assert texts(result) == [
        "Строка 2, столбец «Широта», значение «91»: широта должна быть от −90 до 90.",
        "Строка 2, столбец «Расстояние до центра, км», значение «-2»: расстояние не может "
        "быть отрицательным.",
        "Строка 3, столбец «Долгота», значение «-180,5»: долгота должна быть от −180 до 180.",
    ]


def test_it_rejects_a_duplicated_school_naming_both_rows():
    text = csv_bytes(
        SCHOOLS_HEADER,
        "0401001;МБОУ «СОШ № 1»;Чойский район;село;100",
        "0401002;МБОУ «СОШ № 2»;Чойский район;село;100",
        "0401001;МБОУ «СОШ № 1» (дубль);Чойский район;село;100",
        "0401001;МБОУ «СОШ № 1» (ещё дубль);Чойский район;село;100",
    )
    result = read_table("schools", text)

    assert texts(result) == [
        "Строка 4: повторяет строку 2: совпадает код ОО (0401001). Оставьте одну из строк.",
        "Строка 5: повторяет строку 2: совпадает код ОО (0401001). Оставьте одну из строк.",
    ]


def test_keys_differing_only_in_procedure_case_are_duplicates():
    text = results_file(
        "1;2024;ВПР;Математика;5;4;1;1;1;1;;", "1;2024;впр;Математика;5;4;1;1;1;1;;"
    )
    result = read_table("results", text, year_range=YEARS)

    assert [(e.row, e.message[:21]) for e in result.errors] == [(3, "повторяет строку 2: с")]


def test_it_rejects_duplicated_context_and_student_keys():
    context = read_table("context", csv_bytes("school_id,year", "1,2024", "1,2023", "1,2024"))
    students = read_table(
        "students",
        csv_bytes(
            STUDENTS_HEADER,
            "S1,1,2024,ВПР,Математика,5,4,,",
            "S1,2,2024,ВПР,Математика,5,3,,",  # the same student in another school: still a repeat
        ),
        year_range=YEARS,
    )

    assert [e.as_text() for e in context.errors] == [
        "Строка 4: повторяет строку 2: совпадают код ОО и год (1, 2024). Оставьте одну из строк."
    ]
    assert [e.as_text() for e in students.errors] == [
        "Строка 3: повторяет строку 2: совпадают код обучающегося, год, процедура, предмет и "
        "класс (S1, 2024, ВПР, Математика, 5). Оставьте одну из строк."
    ]


def test_it_rejects_a_student_mark_outside_2_to_5():
    text = csv_bytes(
        STUDENTS_HEADER,
        "S1,1,2024,ВПР,Математика,5,1,,",
        "S2,1,2024,ВПР,Математика,5,5,,6",
        "S3,1,2024,ВПР,Математика,5,,,",
        "S4,1,2024,ЕГЭ,Физика,11,,,",
        "S5,1,2024,ЕГЭ,Физика,11,,-1,",
    )
    result = read_table("students", text, year_range=YEARS)

    assert texts(result) == [
        "Строка 2, столбец «mark», значение «1»: отметка должна быть от 2 до 5.",
        "Строка 3, столбец «journal_mark», значение «6»: отметка в журнале должна быть от 2 до 5.",
        "Строка 4, столбец «mark»: ячейка пуста, а для процедуры «ВПР» она обязательна "
        "(процедура с отметками «2»–«5»).",
        "Строка 5, столбец «score»: ячейка пуста, а для процедуры «ЕГЭ» она обязательна "
        "(процедура с минимальным порогом).",
        "Строка 6, столбец «score», значение «-1»: балл не может быть отрицательным.",
    ]


def test_it_rejects_student_ids_that_look_like_names():
    text = csv_bytes(
        STUDENTS_HEADER,
        "Иванов Иван,1,2024,ВПР,Математика,5,4,,",
        "Петрова А.В.,1,2024,ВПР,Математика,6,4,,",
        "Ivanov Ivan,1,2024,ВПР,Математика,7,4,,",
        "S-2024 0001,1,2024,ВПР,Математика,8,4,,",
        "ШК12-0045,1,2024,ВПР,Математика,9,4,,",
    )
    result = read_table("students", text, year_range=YEARS)

    reason = (
        "код обучающегося похож на фамилию и имя. Файл должен быть обезличенным: "
        "замените ФИО кодами."
    )
    assert texts(result) == [
        f"Строка 2, столбец «student_id», значение «Иванов Иван»: {reason}",
        f"Строка 3, столбец «student_id», значение «Петрова А.В.»: {reason}",
        f"Строка 4, столбец «student_id», значение «Ivanov Ivan»: {reason}",
    ]


def test_it_reports_rows_with_too_many_or_too_few_cells():
    text = csv_bytes("school_id,year,low_income", "1,2024,12,5", "2,2024", "3,2024,7")
    result = read_table("context", text, year_range=YEARS)

    assert result.errors == [
        RowError(
            2,
            None,
            "1,2024,12,5",
            "в строке больше значений, чем столбцов в заголовке (3). Проверьте разделитель («,») "
            "и кавычки; если в числах десятичная запятая, сохраните файл с разделителем «;».",
        ),
        RowError(
            3,
            None,
            "2,2024",
            "в строке меньше значений, чем столбцов в заголовке (3). Проверьте разделитель («,») "
            "и кавычки.",
        ),
    ]


def test_it_collects_errors_of_many_rows_and_caps_only_the_report():
    rows = [f"{i};2024;ВПР;Математика;5;-1;0;0;0;0;;" for i in range(150)]
    result = read_table("results", results_file(*rows), year_range=YEARS)

    assert len(result.errors) == 150
    assert [e.row for e in result.errors] == list(range(2, 152))
    report = result.error_report().splitlines()
    assert report[0] == "Файл не принят: найдено 150 ошибок. Исправьте файл и загрузите его снова."
    assert len(report) == 1 + 100 + 1
    assert report[-1] == "… и ещё 50 ошибок (показаны первые 100)."
    assert len(result.error_report(limit=3).splitlines()) == 5
