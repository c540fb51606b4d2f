"""The fast path for clean CSV files (Arrow's reader) returns exactly the careful path's table.

Each file is read twice: as the reader reads it, and with the fast path switched off, so the
careful path (DuckDB screening and diagnosis) reads it. The tables must be equal, column by
column and type by type, and the test also says whether the fast path took the file or gave
it back, so that a fast path that silently never works is caught too.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from formats_fixtures import DATA, RESULTS_HEADER, YEARS, csv_bytes

from opora.formats import read_table
from opora.formats import reader as reader_module

RESULTS_EN = "school_id,year,procedure,subject,grade,participants,mark_2,mark_3,mark_4,mark_5,below_min,mean_score"  # noqa: E501


def _read_both(monkeypatch, kind, source, **options):
    taken = []
    fast = reader_module.clean_csv_table

    def recording(*args, **kwargs):
        table = fast(*args, **kwargs)
        taken.append(table is not None)
        return table

    monkeypatch.setattr(reader_module, "clean_csv_table", recording)
    quick = read_table(kind, source, year_range=YEARS, **options)
    monkeypatch.setattr(reader_module, "clean_csv_table", lambda *a, **k: None)
    careful = read_table(kind, source, year_range=YEARS, **options)
    return quick, careful, taken == [True]


CLEAN = {
    "results, English headers": (
        "results",
        DATA / "results_canonical.csv",
    ),
    "results, Russian headers and «;», Windows-1251": (
        "results",
        csv_bytes(
            RESULTS_HEADER,
            "0401001;2024;ВПР;Математика;5;54;6;20;19;9;;",
            "0401001;2024;ЕГЭ;Русский язык;11;18;;;;;2;61.5",
            encoding="cp1251",
        ),
    ),
    "schools, quoted names with doubled quotes, settlement in capitals": (
        "schools",
        csv_bytes(
            "Код ОО;Наименование;Муниципалитет;Тип поселения;Обучающихся",
            '0401001;"МБОУ ""Майминская СОШ № 1""";Майминский район;Село;812',
            "0401002;МБОУ «Кызыл-Озёкская СОШ»;Майминский район;село;455",
        ),
    ),
    "a count with spaces around it": (
        "results",
        csv_bytes(RESULTS_EN, "0401001,2024,ВПР,Математика,5, 20 ,4,6,6,4,,"),
    ),
    "context with a byte-order mark and an empty optional cell": (
        "context",
        DATA / "context_bom.csv",
    ),
    "students": ("students", DATA / "students_en.csv"),
    "procedure in lower case, a comma and a line break inside quotes": (
        "results",
        csv_bytes(
            RESULTS_EN,
            '0401001,2024,впр,"Математика, углублённая",5,20,4,6,6,4,,3.5',
            '0401001,2024,ЕГЭ,"Русский\nязык",11,18,,,,,2,',
            "0401002,2024,ОГЭ,Математика,9,0,0,0,0,0,,",
        ),
    ),
    "columns in another order, CRLF line ends, a column the spec does not know": (
        "results",
        (
            "grade,school_id,note,year,procedure,subject,participants,mark_2,mark_3,mark_4,mark_5\r\n"
            "5,0401001,пилот,2024,ВПР,Математика,20,4,6,6,4\r\n"
            "6,0401001,,2024,ВПР,Математика,21,5,6,6,4\r\n"
        ).encode(),
    ),
}

CAREFUL = {
    "a decimal comma in a «,» file's score is quoted": (
        "results",
        csv_bytes(RESULTS_EN, '0401001,2024,ВПР,Математика,5,20,4,6,6,4,,"3,5"'),
    ),
    "a count written as 20.0": (
        "results",
        csv_bytes(RESULTS_EN, "0401001,2024,ВПР,Математика,5,20.0,4,6,6,4,,"),
    ),
    "a decimal comma in a «;» file": ("results", DATA / "results_cp1251.csv"),
    "coordinates with decimal commas": ("schools", DATA / "schools_ru.csv"),
    "a blank line between rows": (
        "results",
        csv_bytes(
            RESULTS_EN,
            "0401001,2024,ВПР,Математика,5,20,4,6,6,4,,",
            "",
            "0401001,2024,ВПР,Математика,6,20,4,6,6,4,,",
        ),
    ),
    "a school code with a trailing space": (
        "results",
        csv_bytes(RESULTS_EN, "0401001 ,2024,ВПР,Математика,5,20,4,6,6,4,,"),
    ),
}


@pytest.mark.parametrize("case", sorted(CLEAN))
def test_the_fast_path_takes_a_clean_file_and_returns_the_careful_table(monkeypatch, case):
    kind, source = CLEAN[case]
    quick, careful, fast = _read_both(monkeypatch, kind, source)

    assert careful.ok, careful.error_report()
    assert fast, "the fast path gave the clean file back"
    assert quick.table.schema == careful.table.schema
    assert quick.table.to_pylist() == careful.table.to_pylist()
    assert quick.warnings == careful.warnings


@pytest.mark.parametrize("case", sorted(CAREFUL))
def test_the_fast_path_gives_back_what_it_would_read_differently(monkeypatch, case):
    kind, source = CAREFUL[case]
    quick, careful, fast = _read_both(monkeypatch, kind, source)

    assert not fast
    assert quick.ok == careful.ok
    assert quick.errors == careful.errors
    if careful.ok:
        assert quick.table.to_pylist() == careful.table.to_pylist()


def test_a_repeated_key_sends_the_file_to_the_careful_path_which_names_both_rows(monkeypatch):
    source = csv_bytes(
        RESULTS_EN,
        "0401001,2024,ВПР,Математика,5,20,4,6,6,4,,",
        "0401001,2024,впр,Математика,5,20,4,6,6,4,,",  # the same cell: «впр» is «ВПР»
    )
    quick, careful, fast = _read_both(monkeypatch, "results", source)

    assert not fast
    assert not quick.ok
    assert quick.errors == careful.errors
    assert [e.row for e in quick.errors] == [3]


def test_an_unknown_settlement_is_not_dropped_silently(monkeypatch):
    source = csv_bytes(
        "Код ОО;Наименование;Муниципалитет;Тип поселения;Обучающихся",
        "0401001;СОШ № 1;Майминский район;деревня;120",
    )
    quick, careful, fast = _read_both(monkeypatch, "schools", source)

    assert not fast
    assert not quick.ok
    assert [e.value for e in quick.errors] == ["деревня"]


@pytest.mark.parametrize("block", [150, 200, 256, 333])
def test_a_line_break_inside_quotes_on_a_block_boundary_is_read_whole(monkeypatch, block):
    """The reader first cuts the file into blocks at every line break, which breaks quoted
    line breaks; then it reads again keeping them together, and with small blocks (each
    longer than the header) boundaries fall inside quoted cells: the file must still come
    out as the careful path reads it."""
    from opora.formats import clean_csv

    monkeypatch.setattr(clean_csv, "_BLOCK_BYTES", block)
    source = csv_bytes(
        RESULTS_EN,
        *(
            f'04010{i:02d},2024,ЕГЭ,"Русский\nязык, профиль\n{i}",11,18,,,,,2,'
            for i in range(1, 13)
        ),
    )
    quick, careful, fast = _read_both(monkeypatch, "results", source)

    assert careful.ok, careful.error_report()
    assert fast
    assert quick.table.to_pylist() == careful.table.to_pylist()
    assert quick.table.column("subject")[3].as_py() == "Русский\nязык, профиль\n4"


@pytest.mark.parametrize("case", sorted(c for c in CLEAN if CLEAN[c][0] in ("results", "students")))
def test_dictionary_texts_hold_the_careful_tables_values(monkeypatch, case):
    kind, source = CLEAN[case]
    quick, careful, fast = _read_both(monkeypatch, kind, source, dictionary_texts=True)

    assert fast
    for name in ("school_id", "procedure", "subject"):
        column = quick.table.column(name)
        assert pa.types.is_dictionary(column.type), name
        # one dictionary for the whole column, each text in it once
        dictionary = column.chunk(0).dictionary.to_pylist()
        assert len(dictionary) == len(set(dictionary))
        assert all(chunk.dictionary.equals(column.chunk(0).dictionary) for chunk in column.chunks)
    # the careful path has no dictionaries; decoded, the fast path's values are its values
    assert not pa.types.is_dictionary(careful.table.schema.field("school_id").type)
    assert quick.table.cast(careful.table.schema).to_pylist() == careful.table.to_pylist()


def test_two_spellings_of_a_procedure_are_one_value_of_the_dictionary(monkeypatch):
    source = csv_bytes(
        RESULTS_EN,
        "0401001,2024,ВПР,Математика,5,20,4,6,6,4,,",
        "0401001,2024,впр,Математика,6,20,4,6,6,4,,",
        "0401001,2024,ОГЭ,Математика,9,20,4,6,6,4,,",
    )
    quick, _, fast = _read_both(monkeypatch, "results", source, dictionary_texts=True)

    assert fast
    procedure = quick.table.column("procedure")
    assert sorted(procedure.chunk(0).dictionary.to_pylist()) == ["ВПР", "ОГЭ"]
    assert procedure.to_pylist() == ["ВПР", "ВПР", "ОГЭ"]


@pytest.mark.parametrize(
    "line, value",
    [
        ("0401001,2024,ВПР, Математика,5,20,4,6,6,4,,", " Математика"),
        ("0401001,2024,ВПР,,5,20,4,6,6,4,,", None),
        ("0401999,2024,ВПР,Математика,5,20,4,6,6,4,,", "0401999"),
    ],
    ids=["a space before a subject", "an empty subject", "a school not in the register"],
)
def test_a_suspect_text_in_a_dictionary_column_goes_to_the_careful_path(monkeypatch, line, value):
    source = csv_bytes(RESULTS_EN, "0401001,2024,ВПР,Математика,6,20,4,6,6,4,,", line)
    quick, careful, fast = _read_both(
        monkeypatch, "results", source, dictionary_texts=True, known_school_ids=["0401001"]
    )

    assert not fast
    assert quick.errors == careful.errors
    if value is None:
        assert [e.row for e in quick.errors] == [3]
    elif value.startswith(" "):
        # the careful path trims the space and accepts the file, with plain texts
        assert quick.ok and quick.table.column("subject").to_pylist() == ["Математика"] * 2
    else:
        assert [e.value for e in quick.errors] == [value]
