"""Reasons as tables: the lists of each flagged school, put together by Arrow kernels."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from opora.analytics.verdicts import REASONS_SCHEMA, CategoryResult, reason_lists
from opora.analytics.wording import YEARS, joined_present, plural, plural_texts


def test_reason_lists_put_head_items_and_tail_of_each_school_in_order():
    ids = pa.array(["01", "02", "03", "04"])
    heads = pa.array(["H1", "H2", "H3", "H4"])
    # «01» two items, «02» none, «03» three, «04» one
    owner = np.array([0, 0, 2, 2, 2, 3])
    items = pa.array(["a", "b", "c", "d", "e", "f"])
    tails = pa.array(["T1", "T2", "T3", "T4"])
    has_tail = np.array([True, False, False, True])
    table = reason_lists(ids, heads, owner, items, tails, has_tail)
    assert table.schema.equals(REASONS_SCHEMA)
    assert table.column("reasons").to_pylist() == [
        ["H1", "a", "b", "T1"],
        ["H2"],
        ["H3", "c", "d", "e"],
        ["H4", "f", "T4"],
    ]
    assert table.column("school_id").to_pylist() == ["01", "02", "03", "04"]


def test_reason_lists_without_items_or_tails_are_the_heads():
    table = reason_lists(pa.array(["x"]), pa.array(["only"]), np.zeros(0, np.int64), pa.array([]))
    assert table.column("reasons").to_pylist() == [["only"]]
    empty = reason_lists(pa.array([], pa.string()), pa.array([], pa.string()), np.zeros(0, int),
                         pa.array([], pa.string()))  # fmt: skip
    assert empty.num_rows == 0


def test_a_category_given_a_table_builds_its_dict_when_asked_and_keeps_changes():
    texts = pa.table(
        {"school_id": ["01", "02"], "reasons": [["одна"], ["две", "три"]]}, schema=REASONS_SCHEMA
    )
    category = CategoryResult("risk", texts=texts)
    assert category.count == 2
    assert category.reason_table() is texts  # handed on without conversion
    assert category.flagged == {"01": ["одна"], "02": ["две", "три"]}
    category.flagged["03"] = ["новая"]  # the dict is the truth from now on
    assert category.count == 3
    assert category.reason_table().column("school_id").to_pylist() == ["01", "02", "03"]
    assert category.reason_table().column("reasons").to_pylist()[2] == ["новая"]


def test_a_category_takes_its_reasons_one_way_only():
    texts = pa.table({"school_id": ["01"], "reasons": [["а"]]}, schema=REASONS_SCHEMA)
    with pytest.raises(ValueError):
        CategoryResult("risk", {"01": ["а"]}, texts=texts)
    assert CategoryResult("risk").flagged == {}
    assert CategoryResult("risk").reason_table().num_rows == 0


def test_joined_present_skips_nulls_and_keeps_rows_that_have_no_text():
    # The Arrow of this project drops rows whose texts are all null in its «skip» mode; the
    # helper must keep them, as "", in their place.
    first = pa.array(["a", None, None, "d", None])
    second = pa.array([None, "b", None, "e", None])
    third = pa.array(["c", None, None, None, None])
    assert joined_present([first, second, third], " | ", 5).to_pylist() == [
        "a | c",
        "b",
        "",
        "d | e",
        "",
    ]
    assert joined_present([], ";", 2).to_pylist() == ["", ""]


def test_plural_texts_agree_with_plural_for_every_ending():
    counts = np.arange(0, 230)
    assert plural_texts(counts, YEARS).to_pylist() == [plural(int(n), YEARS) for n in counts]
