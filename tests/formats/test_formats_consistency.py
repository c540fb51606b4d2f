"""Students against results: the same cells must agree."""

from __future__ import annotations

from formats_fixtures import DATA, YEARS, csv_bytes

from opora.formats import RowError, check_students_against_results, read_table

RESULTS = csv_bytes(
    "school_id,year,procedure,subject,grade,participants,mark_2,mark_3,mark_4,mark_5,below_min",
    "0401002,2024,ВПР,Математика,5,4,1,1,1,1,",
    "0401001,2024,ЕГЭ,Математика (профильная),11,3,,,,,1",
    "0402001,2024,ОГЭ,Математика,9,97,3,30,41,23,",  # no students for this cell: not compared
)


def test_it_accepts_students_that_add_up_to_the_results():
    students = read_table("students", DATA / "students_en.csv", year_range=YEARS).table
    results = read_table(
        "results",
        RESULTS.replace(b",3,,,,,1", b",2,,,,,1"),
        year_range=YEARS,
    ).table

    assert check_students_against_results(students, results) == []


def test_it_names_the_results_rows_that_disagree_with_the_students():
    students = read_table("students", DATA / "students_en.csv", year_range=YEARS).table
    results = read_table(
        "results",
        RESULTS.replace(b"5,4,1,1,1,1,", b"5,4,2,0,1,1,"),
        year_range=YEARS,
    ).table

    assert check_students_against_results(students, results) == [
        RowError(
            2,
            "Отметка «2»",
            "2",
            "по файлу обучающихся отметку «2» получили 1, а здесь указано 2 "
            "(код ОО 0401002, 2024, ВПР, Математика, 5 класс).",
        ),
        RowError(
            2,
            "Отметка «3»",
            "0",
            "по файлу обучающихся отметку «3» получили 1, а здесь указано 0 "
            "(код ОО 0401002, 2024, ВПР, Математика, 5 класс).",
        ),
        RowError(
            3,
            "Участников",
            "3",
            "в файле обучающихся по этой строке (код ОО 0401001, 2024, ЕГЭ, Математика "
            "(профильная), 11 класс) 2 записи, а участников указано 3. Исправьте один из файлов.",
        ),
    ]


def test_it_works_on_tables_without_row_numbers():
    students = read_table("students", DATA / "students_en.csv", year_range=YEARS).table
    results = read_table("results", RESULTS, year_range=YEARS).table.drop_columns(["row_number"])

    errors = check_students_against_results(students.drop_columns(["row_number"]), results)
    assert [(e.row, e.column) for e in errors] == [(None, "Участников")]
