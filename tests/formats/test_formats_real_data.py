"""A slice of real open data (Moscow, ЕГЭ 2015/16, data.mos.ru; see
``tests/data/formats/moscow_ege_2016_head.SOURCE.md``) converted to the results format and
read back. The expected figures are summed straight from the source rows."""

from __future__ import annotations

import csv
import io

from formats_fixtures import DATA

from opora.formats import read_table

SOURCE = DATA / "moscow_ege_2016_head.csv"
ROWS = 40


def _source_rows() -> list[dict[str, str]]:
    with SOURCE.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter=";"))
    assert len(rows) == ROWS
    return rows


def _as_results(rows: list[dict[str, str]]) -> bytes:
    """ЕГЭ, year 2016; «below the threshold» here is «under 160 points over three subjects»
    (participants − PASSER_UNDER_160, which counts those with at least 160; see SOURCE.md)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников",
                     "Ниже минимального порога", "Округ"])  # fmt: skip
    for row in rows:
        taken = int(row["PASSED_NUMBER_FULL"])
        writer.writerow(
            [row["OGRN"], "2016", "ЕГЭ", "Три предмета", "11", taken,
             taken - int(row["PASSER_UNDER_160"]), row["AdmArea"]]
        )  # fmt: skip
    return out.getvalue().encode("cp1251")


def test_it_reads_real_moscow_ege_rows_converted_to_the_results_format():
    rows = _source_rows()
    result = read_table("results", _as_results(rows), filename="moscow.csv")

    assert result.ok, result.error_report()
    assert result.warnings == [
        "Столбец «Округ» не входит в формат «результаты оценочных процедур» и пропущен."
    ]
    table = result.table
    assert table.num_rows == ROWS
    assert table.column("school_id").to_pylist() == [r["OGRN"] for r in rows]
    assert sum(table.column("participants").to_pylist()) == sum(
        int(r["PASSED_NUMBER_FULL"]) for r in rows
    )
    below = [int(r["PASSED_NUMBER_FULL"]) - int(r["PASSER_UNDER_160"]) for r in rows]
    assert table.column("below_min").to_pylist() == below
    assert table.column("row_number").to_pylist() == list(range(2, ROWS + 2))
