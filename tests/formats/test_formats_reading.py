"""Reading files: encodings, separators, headers, spreadsheets, types and row numbers."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
from formats_fixtures import DATA, RESULTS_HEADER, SCHOOLS_HEADER, YEARS, csv_bytes, xlsx_bytes

from opora.formats import KINDS, Procedure, columns, read_table


def test_it_reads_a_windows_1251_file_with_semicolons_decimal_commas_and_crlf():
    result = read_table("results", DATA / "results_cp1251.csv", year_range=YEARS)

    assert result.ok, result.error_report()
    table = result.table
    assert table.num_rows == 5  # the two trailing «;;;;» rows are ignored
    assert table.column("procedure").to_pylist() == ["ВПР", "ВПР", "ВПР", "ЕГЭ", "ОГЭ"]
    assert table.column("mean_score").to_pylist() == [3.57, 3.33, 2.95, 56.4, 3.86]
    assert table.column("below_min").to_pylist() == [None, None, None, 2, None]
    assert table.column("mark_2").to_pylist() == [6, 9, 7, None, 3]
    assert table.column("subject")[3].as_py() == "Математика (профильная)"
    assert table.column("row_number").to_pylist() == [2, 3, 4, 5, 6]


def test_it_gives_typed_columns_in_spec_order_plus_row_number():
    result = read_table("results", DATA / "results_cp1251.csv", year_range=YEARS)

    expected = [c.name for c in columns("results")] + ["row_number"]
    assert result.table.column_names == expected
    types = {f.name: f.type for f in result.table.schema}
    assert types["school_id"] == pa.string()
    assert types["year"] == types["participants"] == types["row_number"] == pa.int64()
    assert types["mean_score"] == pa.float64()


def test_it_reads_a_utf8_bom_file_with_commas_and_english_headers():
    result = read_table("context", DATA / "context_bom.csv", year_range=YEARS)

    assert result.ok, result.error_report()
    assert result.table.column("school_id").to_pylist() == ["0401001", "0401002", "0402001"]
    assert result.table.column("large_families").to_pylist() == [18.5, 31.0, 9.1]
    assert result.table.column("social_index").to_pylist() == [None, None, 0.35]
    # Columns absent from the file are there, all null.
    assert result.table.column("foster_care").null_count == 3


def test_it_reads_russian_headers_quotes_and_normalises_settlement_and_spaces():
    result = read_table("schools", DATA / "schools_ru.csv")

    assert result.ok, result.error_report()
    rows = result.table.to_pylist()
    assert rows[0]["name"] == 'МБОУ "Майминская СОШ № 1"'
    assert [r["settlement"] for r in rows] == ["село", "село", "город", "село"]
    assert rows[3]["name"] == "МКОУ «Балыктуюльская ООШ»"  # surrounding spaces stripped
    assert [r["students"] for r in rows] == [812, 455, 1204, 38]
    assert [r["distance_km"] for r in rows] == [0.0, 7.5, None, 62.0]
    assert rows[2]["latitude"] == 51.9581 and rows[3]["longitude"] is None


def test_it_reads_student_results():
    result = read_table("students", DATA / "students_en.csv", year_range=YEARS)

    assert result.ok, result.error_report()
    assert result.table.column("mark").to_pylist() == [2, 3, 5, 4, None, None]
    assert result.table.column("score").to_pylist() == [None] * 4 + [27.0, 72.0]
    assert result.table.column("journal_mark").to_pylist() == [3, 3, 4, None, 3, 5]


def test_it_accepts_bytes_file_objects_and_paths_alike(tmp_path: Path):
    data = (DATA / "context_bom.csv").read_bytes()
    from_bytes = read_table("context", data, year_range=YEARS)
    from_object = read_table("context", io.BytesIO(data), year_range=YEARS)
    odd_name = tmp_path / "контекст [2024].csv"  # glob characters must not confuse the reader
    odd_name.write_bytes(data)
    from_path = read_table("context", str(odd_name), year_range=YEARS)

    assert from_bytes.table.equals(from_object.table)
    assert from_bytes.table.equals(from_path.table)


def test_it_matches_headers_ignoring_case_spaces_yo_quotes_and_units():
    text = csv_bytes(
        "  КОД  оо ;ГОД;Из многодетных семей;НА УЧЕТЕ В КДН (%);Хотя бы один родитель - инвалид, %",
        "0401001;2024;18,5;0,4;1",
    )
    result = read_table("context", text, year_range=YEARS)

    assert result.ok, result.error_report()
    row = result.table.to_pylist()[0]
    assert row["large_families"] == 18.5
    assert row["juvenile_commission"] == 0.4
    assert row["parent_disabled"] == 1.0


def test_it_accepts_marks_headers_with_plain_quotes_or_none():
    text = csv_bytes(
        "school_id;year;procedure;subject;grade;participants;"
        'Отметка "2";отметка 3;Отметка «4»;MARK_5',
        "0401001;2024;ВПР;Математика;5;4;1;1;1;1",
    )
    result = read_table("results", text, year_range=YEARS)

    assert result.ok, result.error_report()
    assert result.table.column("mark_3").to_pylist() == [1]


def test_it_ignores_unknown_columns_with_a_warning():
    text = csv_bytes("Код ОО;Год;Примечание;Из малоимущих семей, %", "0401001;2024;проверено;12")
    result = read_table("context", text, year_range=YEARS)

    assert result.ok
    assert result.warnings == [
        "Столбец «Примечание» не входит в формат «социальный контекст школ» и пропущен."
    ]


def test_it_ignores_the_empty_last_column_of_a_trailing_separator():
    text = csv_bytes("Код ОО;Год;", "0401001;2024;")
    result = read_table("context", text, year_range=YEARS)

    assert result.ok and result.warnings == []


def test_it_warns_about_a_column_without_header_in_the_middle():
    text = csv_bytes("Код ОО;;Год", "0401001;x;2024")
    result = read_table("context", text, year_range=YEARS)

    assert result.ok
    assert result.warnings == ["Столбец 2 без заголовка пропущен."]


def test_it_reads_digit_groups_and_signs_in_numbers():
    text = csv_bytes(SCHOOLS_HEADER, "0401001;МБОУ «СОШ»;Майминский район;село;1\u00a0204")
    result = read_table("schools", text)

    assert result.ok, result.error_report()
    assert result.table.column("students").to_pylist() == [1204]


def test_it_keeps_row_numbers_across_blank_rows_and_multiline_cells():
    text = csv_bytes(
        "Код ОО,Наименование,Муниципалитет,Тип поселения,Обучающихся",
        '0401001,"МБОУ «СОШ»\nфилиал",Майминский район,село,10',
        ",,,,",
        "0401002,МБОУ «ООШ»,Майминский район,село,-1",
        " , , , , ",
    )
    result = read_table("schools", text)

    assert [(e.row, e.column) for e in result.errors] == [(4, "Обучающихся")]


def test_it_canonicalises_procedure_names_case_insensitively():
    text = csv_bytes(
        RESULTS_HEADER,
        "0401001;2024;впр;Математика;5;4;1;1;1;1;;",
        "0401001;2024;Огэ;Математика;9;4;1;1;1;1;;",
        "0401001;2024;егэ;Математика;11;4;;;;;1;",
    )
    result = read_table("results", text, year_range=YEARS)

    assert result.table.column("procedure").to_pylist() == ["ВПР", "ОГЭ", "ЕГЭ"]


def test_it_does_not_alter_other_text():
    text = csv_bytes(RESULTS_HEADER, "0401001;2024;ВПР;математика  (база);5;4;1;1;1;1;;")
    result = read_table("results", text, year_range=YEARS)

    assert result.table.column("subject").to_pylist() == ["математика  (база)"]


def test_it_reads_a_header_only_file_as_an_empty_table_with_a_warning():
    result = read_table("context", csv_bytes("school_id,year"))

    assert result.ok and result.table.num_rows == 0
    assert result.warnings == ["В файле нет строк с данными: заполнен только заголовок."]


def test_it_reports_an_empty_file():
    result = read_table("schools", b"")

    assert not result.ok and result.table is None
    assert result.errors[0].as_text() == (
        "Файл пуст: в первой строке должны быть заголовки столбцов."
    )


def test_it_falls_back_to_windows_1251_when_cyrillic_appears_late():
    head = "school_id;year;procedure;subject;grade;participants;below_min"
    ascii_rows = [f"{i:07d};2024;EGE;Math;11;10;1" for i in range(3000)]
    late = f"{3000:07d};2024;ЕГЭ;Физика;11;10;1"
    text = "\n".join([head, *ascii_rows, late]) + "\n"
    procedures = {"EGE": Procedure("EGE", "threshold"), "ЕГЭ": Procedure("ЕГЭ", "threshold")}
    result = read_table("results", text.encode("cp1251"), procedures=procedures, year_range=YEARS)

    assert result.ok, result.error_report()
    assert result.table.num_rows == 3001
    assert result.table.column("subject")[-1].as_py() == "Физика"
    assert result.table.column("row_number")[-1].as_py() == 3002


def test_it_uses_charset_normalizer_when_windows_1251_gives_no_known_header():
    text = "Код ОО;Наименование;Муниципалитет;Тип поселения;Обучающихся\n"
    rows = "".join(
        f"04010{i:02d};Средняя общеобразовательная школа села Чоя {i};Чойский район;село;{100 + i}\n"
        for i in range(30)
    )
    result = read_table("schools", (text + rows).encode("koi8-r"))

    assert result.ok, result.error_report()
    assert result.table.column("municipality")[0].as_py() == "Чойский район"


def test_it_reads_the_first_sheet_of_an_xlsx_with_numbers_as_cells():
    data = xlsx_bytes(
        [
            ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников",
             "Отметка «2»", "Отметка «3»", "Отметка «4»", "Отметка «5»", "Средний балл"],
            ["0401001", 2024, "ВПР", "Математика", 5, 54, 6, 20, 19, 9, 3.57],
            [401002, 2024.0, "ОГЭ", "Русский язык", 9, 30, 0, 10, 10, 10, None],
            [None] * 11,
            [None] * 11,
        ]
    )  # fmt: skip
    result = read_table("results", data, filename="результаты.xlsx", year_range=YEARS)

    assert result.ok, result.error_report()
    assert result.table.column("school_id").to_pylist() == ["0401001", "401002"]
    assert result.table.column("year").to_pylist() == [2024, 2024]
    assert result.table.column("mean_score").to_pylist() == [3.57, None]
    assert result.table.column("row_number").to_pylist() == [2, 3]


def test_it_rejects_a_fractional_count_in_an_xlsx_cell():
    data = xlsx_bytes(
        [
            ["Код ОО", "Год", "Из малоимущих семей, %"],
            ["0401001", 2024.5, 12.5],
        ]
    )
    result = read_table("context", data, year_range=YEARS)

    assert [e.as_text() for e in result.errors] == [
        "Строка 2, столбец «Год», значение «2024.5»: год должен быть целым числом, например 2024."
    ]


def test_it_reports_an_unreadable_spreadsheet():
    result = read_table("schools", b"PK\x03\x04 this is no workbook", filename="реестр.xlsx")

    assert result.errors[0].message.startswith("Не удалось прочитать таблицу")


def test_every_kind_reads_its_own_headers():
    for kind in KINDS:
        header = ",".join(c.name for c in columns(kind))
        result = read_table(kind, csv_bytes(header))
        assert result.ok, (kind, result.error_report())
        assert result.warnings == ["В файле нет строк с данными: заполнен только заголовок."]


def test_the_fast_path_gives_up_on_a_text_that_is_not_utf8_in_any_text_column(
    tmp_path, monkeypatch
):
    # The fast path checks UTF-8 after reading (a dictionary column on its dictionary): a
    # byte that is not UTF-8 deep in the file, in a dictionary column or in a plain one,
    # must send the file to the careful path, as the reader's own check did.
    from opora.formats import clean_csv

    given_up = []
    read = clean_csv.clean_csv_table

    def spy(*args, **kwargs):
        table = read(*args, **kwargs)
        given_up.append(table is None)
        return table

    monkeypatch.setattr("opora.formats.reader.clean_csv_table", spy)
    # Beyond the head the encoding is judged by (_HEAD_BYTES): the head is valid UTF-8.
    from opora.formats.sources import _HEAD_BYTES

    many = _HEAD_BYTES // 30 + 100
    rows = "".join(f"0{i:05},2024,ВПР,Математика,5,20,1,9,5,5\n" for i in range(many))
    header = "school_id,year,procedure,subject,grade,participants,mark_2,mark_3,mark_4,mark_5\n"
    good = (header + rows).encode()
    assert read_table("results", good, year_range=YEARS).ok
    assert given_up == [False]
    for bad_cell in (b"\xff\xfe", "Матем".encode("cp1251")):
        given_up.clear()
        bad = good + b"0999,2024,\xd0\x92\xd0\x9f\xd0\xa0," + bad_cell + b",5,20,1,9,5,5\n"
        assert not read_table("results", bad, year_range=YEARS).ok
        assert given_up[0] is True  # (then read again as Windows-1251 by the careful path)
    names = "".join(f"0{i:05},Школа {i},Район,село,100\n" for i in range(many))
    header = "school_id,name,municipality,settlement,students\n"
    bad_name = "0999,Школа ".encode() + b"\xff" + ",Район,село,1\n".encode()
    given_up.clear()
    read_table("schools", (header + names).encode() + bad_name)
    assert given_up[0] is True
