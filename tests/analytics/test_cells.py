"""Numbering the cells: one whole number per school × procedure × subject × grade."""

from __future__ import annotations

import pyarrow as pa

from opora.analytics.cells import CELL_KEY, cell_keys, prepare_results

ROWS = [
    # school, year, procedure, subject, grade
    ("01", 2024, "ВПР", "Математика", 5),
    ("01", 2025, "ВПР", "Математика", 5),  # the same cell a year later
    ("01", 2025, "ВПР", "Математика", 6),
    ("01", 2025, "ВПР", "Русский язык", 5),
    ("01", 2025, "ОГЭ", "Математика", 5),
    ("02", 2025, "ВПР", "Математика", 5),
    ("02", 2026, "ВПР", "Математика", None),  # an empty grade is a value of its own
    ("02", 2024, "ВПР", "Математика", None),
    (None, 2024, "ВПР", "Математика", 5),
    (None, 2025, "ВПР", "Математика", 5),
]


def _table(rows, dictionary=False):
    text = pa.dictionary(pa.int32(), pa.string()) if dictionary else pa.string()
    return pa.table(
        {
            "school_id": pa.array([r[0] for r in rows], text),
            "year": [r[1] for r in rows],
            "procedure": pa.array([r[2] for r in rows], text),
            "subject": pa.array([r[3] for r in rows], text),
            "grade": pa.array([r[4] for r in rows], pa.int64()),
            "participants": [20] * len(rows),
        }
    )


def _same_cell_pairs(keys):
    return {(i, j) for i in range(len(keys)) for j in range(len(keys)) if keys[i] == keys[j]}


EXPECTED = _same_cell_pairs([(r[0], r[2], r[3], r[4]) for r in ROWS])


def test_rows_share_a_number_exactly_when_they_are_the_same_cell():
    keys = cell_keys(_table(ROWS)).to_pylist()
    assert _same_cell_pairs(keys) == EXPECTED
    assert len(set(keys)) == 7  # counted by hand from ROWS


def test_dictionary_columns_with_a_dictionary_per_chunk_number_the_cells_alike():
    # Two chunks, each with its own dictionary (as separately read blocks of a file have).
    first, second = _table(ROWS[:4], dictionary=True), _table(ROWS[4:], dictionary=True)
    table = pa.concat_tables([first, second])
    assert (
        not table.column("school_id")
        .chunk(0)
        .dictionary.equals(table.column("school_id").chunk(1).dictionary)
    )
    assert _same_cell_pairs(cell_keys(table).to_pylist()) == EXPECTED


def test_prepared_results_carry_the_numbers_and_keep_dictionary_texts():
    # Texts read as dictionaries stay dictionaries (the engines read them as texts), plain
    # texts stay plain; the values are the same either way.
    coded, plain = (prepare_results(_table(ROWS, dictionary=d)) for d in (True, False))
    assert pa.types.is_dictionary(coded.schema.field("school_id").type)
    assert plain.schema.field("school_id").type == pa.string()
    for name in ("school_id", "procedure", "subject"):
        assert coded.column(name).to_pylist() == plain.column(name).to_pylist()
    assert coded.column("procedure").to_pylist() == [r[2] for r in ROWS]
    assert _same_cell_pairs(coded.column(CELL_KEY).to_pylist()) == EXPECTED


def test_an_empty_table_has_no_numbers():
    assert cell_keys(_table([])).to_pylist() == []


def test_the_numbers_keep_the_order_of_the_keys():
    # Sorting rows by their number sorts them by school, procedure, subject and grade, the
    # texts byte by byte and an empty cell first: a window may order cells by the number.
    rows = [r for r in ROWS if r[0] is not None] + [
        ("10", 2025, "ВПР", "Математика", 5),
        ("1", 2025, "ЕГЭ", "Химия", 11),
        ("01", 2025, "ВПР", "Алгебра", 7),
    ]
    for dictionary in (False, True):
        keys = cell_keys(_table(rows, dictionary)).to_pylist()
        by_number = sorted(range(len(rows)), key=lambda i: (keys[i], i))

        def by_key(i):
            school, _, procedure, subject, grade = rows[i]
            return (school.encode(), procedure.encode(), subject.encode(), grade or 0, i)

        assert by_number == sorted(range(len(rows)), key=by_key)


def test_repeated_keys_are_found_exactly():
    from opora.formats.clean_csv import _repeated_keys

    keys = ("school_id", "year", "procedure", "subject", "grade")
    table = _table(ROWS)
    assert not _repeated_keys(table, keys)
    repeated = pa.concat_tables([table, _table([ROWS[6]])])  # the row with an empty grade again
    assert _repeated_keys(repeated, keys)
    # The same cell in another year is no repeat; an empty grade differs from a grade.
    assert not _repeated_keys(_table([ROWS[6], ROWS[7]]), keys)
    assert not _repeated_keys(_table([ROWS[5], ("02", 2025, "ВПР", "Математика", None)]), keys)


def test_prepared_failures_follow_the_rule_the_engines_apply(engine):
    # Every combination of procedure kind, mark_2 and below_min present or empty.
    from opora.analytics.cells import failure_columns
    from opora.analytics.frames import collect, to_lazy

    procedures = ["ЕГЭ", "ВПР", "ОГЭ", "КДР", None]
    rows = [(p, m2, bm) for p in procedures for m2 in (4, None) for bm in (1, None)]
    table = pa.table(
        {
            "procedure": pa.array([r[0] for r in rows], pa.string()),
            "mark_2": pa.array([r[1] for r in rows], pa.int64()),
            "below_min": pa.array([r[2] for r in rows], pa.int64()),
        }
    )
    by_engine = collect(to_lazy(table, engine).with_columns(failure_columns()[0]))
    # By hand: ЕГЭ counts below_min when given, otherwise mark_2; the others the reverse.
    by_hand = [
        (bm if bm is not None else m2) if p == "ЕГЭ" else (m2 if m2 is not None else bm)
        for p, m2, bm in rows
    ]
    assert by_engine.column("failures").to_pylist() == by_hand
    for dictionary in (False, True):
        source = _table([("1", 2024, p, "М", 5) for p, _, _ in rows], dictionary)
        source = source.append_column("mark_2", table.column("mark_2"))
        source = source.append_column("below_min", table.column("below_min"))
        assert prepare_results(source).column("failures").to_pylist() == by_hand


def test_key_numbers_renumber_when_the_combinations_outgrow_one_number():
    # Two whole-number columns spanning 2**40 and 2**24 values: 2**64 combinations do not fit
    # one int64 (multiplied out, the largest first value would wrap round to 0), so the
    # numbers of the first column are renumbered before the second is added. The numbers must
    # still be equal exactly for equal rows and keep the order of the rows.
    from opora.formats.clean_csv import key_numbers

    a = [0, 2**40 - 1, 0, 2**40 - 1, 7, None]
    b = [2**24 - 2, 0, 2**24 - 2, 5, 0, 0]
    table = pa.table({"a": pa.array(a, pa.int64()), "b": pa.array(b, pa.int64())})
    keys = key_numbers(table, ["a", "b"]).tolist()
    rows = list(zip(a, b, strict=True))
    for i in range(len(rows)):
        for j in range(len(rows)):
            assert (keys[i] == keys[j]) == (rows[i] == rows[j])
    by_row = sorted(range(len(rows)), key=lambda i: ((-1 if a[i] is None else a[i]), b[i], i))
    assert sorted(range(len(rows)), key=lambda i: (keys[i], i)) == by_row


def test_key_numbers_within_leave_the_numbers_they_are_given_as_they_were():
    import numpy as np

    from opora.formats.clean_csv import key_numbers, key_numbers_within

    table = _table(ROWS)
    first = key_numbers_within(table, ["school_id", "procedure"])
    before = first[0].copy()
    whole = key_numbers_within(table, ["subject", "grade"], first)[0]
    assert np.array_equal(first[0], before)
    assert (
        whole.tolist()
        == key_numbers(table, ["school_id", "procedure", "subject", "grade"]).tolist()
    )


def test_the_worst_cells_follow_every_step_of_the_order_and_the_limit_per_school():
    from opora.analytics.cells import worst_cells

    # school, year, procedure, subject, grade, participants, share; each row after the first
    # of school «a» loses to the one before it on exactly one step of the order.
    rows = [
        ("a", 2024, "ВПР", "Математика", 5, 10, 0.5),
        ("a", 2024, "ВПР", "Математика", 6, 20, 0.4),  # a lower share
        ("a", 2024, "ВПР", "Математика", 7, 10, 0.4),  # fewer participants
        ("a", 2023, "ВПР", "Математика", 4, 10, 0.4),  # an earlier year
        ("a", 2023, "ОГЭ", "Математика", 4, 10, 0.4),  # ВПР before ОГЭ
        ("a", 2023, "ОГЭ", "Русский язык", None, 10, 0.4),  # Математика before Русский язык
        ("a", 2023, "ОГЭ", "Русский язык", 9, 10, 0.4),  # an empty grade first
        ("a", 2023, "ОГЭ", "Русский язык", 9, 10, None),  # an empty share last
        ("b", 2024, "ВПР", "Математика", 5, 10, 0.3),
    ]
    order = [6, 0, 8, 3, 7, 1, 5, 4, 2]  # the rows shuffled
    for dictionary in (False, True):
        text = pa.dictionary(pa.int32(), pa.string()) if dictionary else pa.string()
        shuffled = [rows[i] for i in order]
        table = pa.table(
            {
                "school_id": pa.array([r[0] for r in shuffled], text),
                "year": [r[1] for r in shuffled],
                "procedure": pa.array([r[2] for r in shuffled], text),
                "subject": pa.array([r[3] for r in shuffled], text),
                "grade": pa.array([r[4] for r in shuffled], pa.int64()),
                "participants": [r[5] for r in shuffled],
                "share": pa.array([r[6] for r in shuffled], pa.float64()),
            }
        )
        every = worst_cells(table, 10)
        got = [
            (r["school_id"], r["year"], r["procedure"], r["subject"], r["grade"])
            for r in every.to_pylist()
        ]
        assert got == [r[:5] for r in rows]
        assert every.column("place").to_pylist() == [1, 2, 3, 4, 5, 6, 7, 8, 1]
        three = worst_cells(table, 3)
        assert three.column("place").to_pylist() == [1, 2, 3, 1]
        assert three.column("grade").to_pylist() == [5, 6, 7, 5]
        assert worst_cells(table.slice(0, 0), 3).num_rows == 0
