"""Helpers shared by the demo generator tests (plain Python, independent of the generator)."""

from __future__ import annotations


def failures(row: dict) -> int:
    return row["below_min"] if row["procedure"] == "ЕГЭ" else row["mark_2"]
