"""Word/Excel import with a column mapping, and export back: every cell survives."""

import datetime as dt
import io

import pytest
from docx import Document

from opora.programs import services
from opora.programs.documents import roadmap_docx, roadmap_xlsx
from opora.programs.importing import (
    ImportProblem,
    find_header,
    guess_mapping,
    pick_table,
    read_tables,
    to_rows,
)
from opora.programs.models import Level

HEADER = [
    "№ п/п",
    "Наименование мероприятия",
    "Сроки исполнения",
    "Ответственный исполнитель",
    "Показатель оценки качества",
    "Ожидаемый результат",
]
ROWS = [
    ["1. Создание организационной инфраструктуры"],
    [
        "1.1.",
        "Назначение координатора",
        "январь 2021 года",
        "Директор",
        "Приказ по школе",
        "Назначен координатор",
    ],
    [
        "1.2.",
        "Разработка плана работы со слабоуспевающими:\n- по математике;\n- по русскому языку",
        "на каждый учебный год",
        "Заместитель директора по УВР",
        "Исполнение плана в полном объеме",
        "План утверждён",
    ],
    ["2. Кадры"],
    [
        "2.1.",
        "Курсы повышения квалификации учителей",
        "2021 – 2022 годы",
        "Методическая служба",
        "Доля обученных",
        "100% обучение педагогов",
    ],
    [
        "2.2.",
        "Мониторинг затруднений учителей",
        "1 раз в четверть",
        "Руководители ШМО",
        "",
        "Аналитические справки",
    ],
]


def official_docx() -> bytes:
    """A roadmap table as a school keeps it: a title, a header, a row of column numbers,
    section rows merged across the table."""
    document = Document()
    document.add_paragraph("Дорожная карта МБОУ «Северная СОШ» на 2021-2022 годы")
    document.add_table(rows=1, cols=2).rows[0].cells[
        0
    ].text = "Согласовано"  # a small unrelated table
    table = document.add_table(rows=0, cols=6)
    for cells in [HEADER, [str(i) for i in range(1, 7)], *ROWS]:
        row = table.add_row()
        if len(cells) == 1:
            merged = row.cells[0].merge(row.cells[5])
            merged.text = cells[0]
        else:
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def by_field(table, header_index):
    mapping = guess_mapping(table[header_index])
    out = []
    for row in table[header_index + 1 :]:
        filled = [c for c in row if c]
        if len(filled) == 1:
            out.append(("section", filled[0]))
        elif filled and not all(c.isdigit() for c in filled):
            out.append(
                tuple(
                    sorted((f, row[i] if i < len(row) else "") for i, f in enumerate(mapping) if f)
                )
            )
    return out


@pytest.fixture
def draft(world):
    return services.create_program(
        world.school_user,
        level=Level.SCHOOL,
        name="Дорожная карта",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2022, 12, 31),
        order_number="45",
        order_date=dt.date(2021, 1, 15),
    )


def imported(world, draft, data: bytes, name: str):
    tables = read_tables(data, name)
    table = tables[pick_table(tables)]
    header = find_header(table)
    preview = to_rows(table, header, guess_mapping(table[header]))
    services.add_rows(world.school_user, draft, preview.rows, source=name)
    return table, header, preview


def test_it_finds_the_roadmap_table_and_maps_its_columns():
    tables = read_tables(official_docx(), "карта.docx")
    assert len(tables) == 2 and pick_table(tables) == 1
    table = tables[1]
    assert find_header(table) == 0
    assert guess_mapping(table[0]) == [
        "number",
        "title",
        "deadline",
        "responsible",
        "quality_indicator",
        "expected_result",
    ]
    preview = to_rows(table, 0, guess_mapping(table[0]))
    assert len(preview.rows) == 4 and preview.sections == 2 and preview.problems == []
    assert preview.rows[2].section == "Кадры" and preview.rows[2].section_number == "2."


def test_docx_import_then_export_keeps_every_cell(world, draft):
    table, header, _ = imported(world, draft, official_docx(), "карта.docx")
    exported = read_tables(roadmap_docx(draft), "export.docx")
    assert len(exported) == 1
    again = exported[0]
    assert by_field(again, find_header(again)) == by_field(table, header)
    # 31.01.2021; 1 September 2021, 2022; 31 December 2021, 2022; quarter ends 31.03, 31.05,
    # 31.10, 31.12 of 2021 and 2022
    assert draft.due_points.count() == 1 + 2 + 2 + 8


def test_xlsx_export_reads_back_the_same_cells(world, draft):
    table, header, _ = imported(world, draft, official_docx(), "карта.docx")
    sheets = read_tables(roadmap_xlsx(draft, dt.date(2021, 6, 1)), "export.xlsx")
    roadmap = sheets[0]
    assert by_field(roadmap, find_header(roadmap)) == by_field(table, header)
    points = sheets[1]
    assert points[0][:5] == ["№ п/п", "Мероприятие", "Срок", "Период", "Статус"]
    assert len(points) == 1 + draft.due_points.count()
    assert "просрочено" in [row[4] for row in points[1:]]  # January 2021 passed by 1 June 2021


def test_docx_export_has_approval_block_and_signature(world, draft):
    services.add_activity(world.school_user, draft, title="Курсы", deadline="2021")
    document = Document(io.BytesIO(roadmap_docx(draft)))
    section = document.sections[0]
    assert section.page_width > section.page_height
    texts = [p.text for p in document.paragraphs]
    assert texts[:3] == ["УТВЕРЖДЕНА", "приказом", "от 15.01.2021 № 45"]
    assert any(t.startswith("Директор ____") for t in texts)


def test_unreadable_files_get_a_russian_explanation():
    with pytest.raises(ImportProblem, match="Word"):
        read_tables(b"not a file", "карта.pdf")
    with pytest.raises(ImportProblem, match="повреждён"):
        read_tables(b"not a zip", "карта.docx")
    with pytest.raises(ImportProblem, match="сроки"):
        to_rows([HEADER, ROWS[1]], 0, ["number", "title", "", "", "", ""])


def test_it_reports_unrecognised_deadlines_with_the_row_number():
    table = [
        HEADER,
        ["1", "Работа с родителями", "по возможности", "Классные руководители", "", ""],
    ]
    preview = to_rows(table, 0, guess_mapping(HEADER))
    assert len(preview.rows) == 1
    assert preview.problems[0].startswith("Строка 2: срок «по возможности» не распознан")


def test_the_import_pages_map_columns_and_load(client, world, draft):
    client.login(username="school", password="opora-test-pass")
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    upload = SimpleUploadedFile("карта.docx", official_docx())
    response = client.post(reverse("programs:import_start", args=[draft.pk]), {"file": upload})
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert "Будет загружено: мероприятий 4, разделов 2" in page
    # the user remaps «Показатель оценки качества» to nothing: the column is not loaded
    form = {
        "table": 1,
        "header": 0,
        "col0": "number",
        "col1": "title",
        "col2": "deadline",
        "col3": "responsible",
        "col4": "",
        "col5": "expected_result",
        "confirm": "1",
    }
    response = client.post(preview_url, form)
    assert response.status_code == 302
    assert draft.activities.count() == 4
    assert not draft.activities.exclude(quality_indicator="").exists()


def _merged_down_xlsx() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Дорожная карта")
    sheet.write_row(1, 1, ["№", "Мероприятие", "Срок", "Ответственный"])
    sheet.merge_range(2, 1, 2, 4, "1. Организационные мероприятия")
    for row, (number, title) in enumerate(
        [("1.1", "Анализ результатов ВПР"), ("1.2", "Педсовет"), ("1.3", "План работы")], start=3
    ):
        sheet.write_row(row, 1, [number, title, "до 1 октября 2025 г."])
    sheet.merge_range(3, 4, 5, 4, "Заместитель директора по УВР")
    book.close()
    return buffer.getvalue()


def test_a_cell_merged_down_in_excel_reaches_every_row_as_in_word():
    (table,) = read_tables(_merged_down_xlsx(), "карта.xlsx")
    rows = [row[1:] for row in table if any(row)]

    assert rows == [
        ["№", "Мероприятие", "Срок", "Ответственный"],
        ["1. Организационные мероприятия"],
        ["1.1", "Анализ результатов ВПР", "до 1 октября 2025 г.", "Заместитель директора по УВР"],
        ["1.2", "Педсовет", "до 1 октября 2025 г.", "Заместитель директора по УВР"],
        ["1.3", "План работы", "до 1 октября 2025 г.", "Заместитель директора по УВР"],
    ]

    document = Document()
    word = document.add_table(rows=3, cols=2)
    for cells, (title, who) in zip(
        word.rows, [("Мероприятие", "Ответственный"), ("Педсовет", ""), ("План", "")], strict=True
    ):
        cells.cells[0].text = title
        cells.cells[1].text = who
    word.cell(1, 1).merge(word.cell(2, 1)).text = "Заместитель директора по УВР"
    buffer = io.BytesIO()
    document.save(buffer)
    (from_word,) = read_tables(buffer.getvalue(), "карта.docx")
    assert [row[1] for row in from_word[1:]] == ["Заместитель директора по УВР"] * 2
