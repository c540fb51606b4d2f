"""The Word page every Опора report starts from: landscape A4, Times New Roman 12."""

from __future__ import annotations

from typing import Any


def landscape_document() -> Any:
    """A new python-docx Document set up for a report with wide tables."""
    from docx import Document as Word
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Word()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.5)
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(12)
    return doc
