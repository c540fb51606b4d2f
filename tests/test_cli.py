"""The `opora` command line: import, export, template, users; Russian messages, exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opora import cli
from opora.formats import read_table

DATA = Path(__file__).resolve().parent / "data" / "import"
runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Rich wraps at 80 columns without a terminal; keep the error table on one line a row."""
    monkeypatch.setattr(cli.console, "width", 240)
    monkeypatch.setattr(cli.errors, "width", 240)


def run(*args: object):
    return runner.invoke(cli.app, [str(a) for a in args])


def stored_rows() -> dict[str, list[tuple]]:
    from opora.accounts.models import AuditEvent, User
    from opora.assessments.models import Result, Subject
    from opora.territory.models import Municipality, School

    return {
        m.__name__: sorted(m.objects.values_list("pk", flat=True))
        for m in (Result, Subject, School, Municipality, AuditEvent, User)
    }


def test_it_rejects_a_cp1251_file_with_broken_rows_naming_every_row(world):
    before = stored_rows()
    result = run("import", "results", DATA / "results_broken_cp1251.csv")
    assert result.exit_code == 1
    rows = {int(n) for n in re.findall(r"^│\s*(\d+)\s*│", result.output, flags=re.MULTILINE)}
    assert rows == {3, 4, 5, 6, 7}
    assert "Файл не загружен" in result.output and "база данных не изменена" in result.output
    assert "неизвестная процедура" in result.output and "9999999" in result.output
    assert stored_rows() == before


def test_it_imports_a_good_file_and_says_what_it_did(world):
    result = run("import", "results", DATA / "results_cp1251.csv")
    assert result.exit_code == 0, result.output
    assert "Добавлено 5 строк, изменено 0, без изменений 0." in result.output
    again = run("import", "results", DATA / "results_cp1251.csv")
    assert "Добавлено 0 строк, изменено 0, без изменений 5." in again.output


def test_a_dry_run_only_checks_the_file(world):
    from opora.assessments.models import Result

    result = run("import", "results", DATA / "results_cp1251.csv", "--dry-run")
    assert result.exit_code == 0
    assert "Будет добавлено 5 строк" in result.output and "--dry-run" in result.output
    assert Result.objects.count() == 0


def test_it_explains_a_missing_file_and_an_unknown_kind(world, tmp_path):
    missing = run("import", "results", tmp_path / "nope.csv")
    assert missing.exit_code == 1 and "не найден" in missing.output
    unknown = run("import", "teachers", DATA / "results_cp1251.csv")
    assert unknown.exit_code == 1 and "неизвестный вид файла «teachers»" in unknown.output


def test_the_register_needs_a_region_when_there_are_several(world):
    result = run("import", "schools", DATA / "schools_canonical.csv")
    assert result.exit_code == 1 and "--region" in result.output
    result = run(
        "import", "schools", DATA / "schools_canonical.csv", "--region", world.region.name,
        "--archive-missing",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "изменено 3" in result.output
    assert "в архив" not in result.output  # nothing of the region is missing


def test_archive_missing_names_the_archived_schools(world, tmp_path):
    from opora.territory.models import School

    lines = (DATA / "schools_canonical.csv").read_text(encoding="utf-8").splitlines()
    short = tmp_path / "schools.csv"
    short.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    result = run("import", "schools", short, "--region", world.region.name, "--archive-missing")
    assert result.exit_code == 0, result.output
    assert (
        "Школы региона, которых нет в файле, переведены в архив: 0201001 (всего 1)."
        in result.output
    )
    assert School.objects.get(code="0201001").is_archived


def test_export_gives_back_the_imported_csv(world, tmp_path):
    assert run("import", "results", DATA / "results_canonical.csv").exit_code == 0
    target = tmp_path / "out" / "results.csv"
    result = run("export", "results", target)
    assert result.exit_code == 0, result.output
    assert "Выгружено строк: 5" in result.output
    assert target.read_bytes() == (DATA / "results_canonical.csv").read_bytes()


def test_export_to_xlsx_reads_back_as_the_same_table(world, tmp_path):
    assert run("import", "results", DATA / "results_canonical.csv").exit_code == 0
    target = tmp_path / "results.xlsx"
    assert run("export", "results", target).exit_code == 0
    exported = read_table("results", target).table.drop_columns(["row_number"])
    source = read_table("results", DATA / "results_canonical.csv").table
    assert exported.equals(source.drop_columns(["row_number"]))
    wrong = run("export", "results", tmp_path / "results.txt")
    assert wrong.exit_code == 1 and ".csv или .xlsx" in wrong.output


def test_template_writes_a_spreadsheet_with_the_russian_headers(tmp_path):
    target = tmp_path / "results-template.xlsx"
    result = run("template", "results", target)
    assert result.exit_code == 0, result.output
    from python_calamine import CalamineWorkbook

    first_row = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()[0]
    assert "Код ОО" in first_row and "Участников" in first_row


def test_user_add_creates_users_of_every_role(world):
    from opora.accounts.models import User

    cases = [
        ("r2", "region", ["--territory", world.region.name]),
        ("m2", "municipality", ["--territory", "Северный район"]),
        ("s2", "school", ["--territory", "0201001"]),
        ("c2", "curator", ["--schools", "0101001,0201001"]),
    ]
    for username, role, extra in cases:
        result = run("user", "add", username, "--role", role, "--password", "pa55-word", *extra)
        assert result.exit_code == 0, result.output
        assert f"Пользователь «{username}» добавлен" in result.output
    assert User.objects.get(username="r2").region == world.region
    assert User.objects.get(username="m2").municipality == world.north
    assert User.objects.get(username="s2").school == world.south_school
    curator = User.objects.get(username="c2")
    assert sorted(curator.curated_schools.values_list("code", flat=True)) == ["0101001", "0201001"]
    assert curator.check_password("pa55-word")
    listing = run("user", "list")
    assert listing.exit_code == 0 and "c2" in listing.output and "куратор" in listing.output


def test_user_add_explains_an_unknown_territory_or_role(world):
    from opora.accounts.models import User

    result = run(
        "user", "add", "x", "--role", "municipality", "--territory", "Нет такого", "--password", "p"
    )
    assert result.exit_code == 1 and "муниципалитет «Нет такого» не найден" in result.output
    result = run("user", "add", "x", "--role", "minister", "--password", "p")
    assert result.exit_code == 1 and "неизвестная роль «minister»" in result.output
    result = run(
        "user", "add", "x", "--role", "curator", "--schools", "0101001,0000000", "--password", "p"
    )
    assert result.exit_code == 1 and "0000000" in result.output
    assert not User.objects.filter(username="x").exists()


def test_user_add_updates_an_existing_user(world):
    result = run(
        "user",
        "add",
        "north",
        "--role",
        "school",
        "--territory",
        "0101002",
        "--password",
        "new-pass",
    )
    assert result.exit_code == 0 and "обновлён" in result.output
    world.north_user.refresh_from_db()
    assert (world.north_user.role, world.north_user.school, world.north_user.municipality) == (
        "school",
        world.north_village_school,
        None,
    )


def test_methodology_list_and_show_need_no_database():
    listing = run("methodology", "list")
    assert listing.exit_code == 0 and "(по умолчанию)" in listing.output
    name = listing.output.split()[0]
    shown = run("methodology", "show", name)
    assert shown.exit_code == 0 and "[" in shown.output
    missing = run("methodology", "show", "нет-такой")
    assert missing.exit_code == 1 and "методики «нет-такой» нет" in missing.output


def test_help_is_russian_and_loads_neither_django_nor_a_database():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from opora.cli import app\n"
        "result = CliRunner().invoke(app, ['import', '--help'])\n"
        "print(result.exit_code, 'django.db' in sys.modules)\n"
        "print(result.output)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    first, _, output = done.stdout.partition("\n")
    assert first == "0 False", done.stderr
    assert "Загрузить файл в базу" in output and "Параметры" in output
    assert "--archive-missing" in output and "Показать эту справку" in output


def test_serve_prints_the_address_and_runs_waitress(db, monkeypatch):
    import waitress

    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **options: calls.append(options))
    result = run("serve", "--port", 8765)
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8765/" in result.output
    assert calls == [{"host": "127.0.0.1", "port": 8765, "threads": 8, "_quiet": True}]


def test_demo_loads_a_region_and_prints_the_logins(db, settings, tmp_path, monkeypatch):
    from opora.demo import loader
    from opora.demo.generator import RegionSpec

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(
        loader, "RegionSpec", lambda **kw: RegionSpec(municipalities=2, schools=16, **kw)
    )
    monkeypatch.delenv("OPORA_DEMO_PASSWORD", raising=False)
    result = run("demo", "--no-serve", "--no-students")
    assert result.exit_code == 0, result.output
    assert "Демонстрационный регион «Северо-Озёрская область» загружен" in result.output
    assert "Реестр школ. Добавлено 16 строк" in result.output
    for login in ("region", "mo01", "mo02", "school-low", "school", "curator"):
        assert re.search(rf"│ {login}\s+│ opora-demo\s+│", result.output), login
    assert (tmp_path / "demo" / "results.csv").is_file()
    again = run("demo", "--no-serve", "--no-students")
    assert "Реестр школ. Добавлено 0 строк, изменено 0, без изменений 16." in again.output


def test_init_prepares_a_fresh_database_and_is_idempotent(tmp_path):
    import os

    env = {
        **os.environ,
        "OPORA_VAR_DIR": str(tmp_path / "var"),
        "OPORA_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'fresh.sqlite3'}",
    }
    command = [sys.executable, "-m", "opora.cli", "init"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "применяется миграций" in first.stdout and "База данных готова" in first.stdout
    assert (tmp_path / "var" / "fresh.sqlite3").is_file()
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0 and "применяется" not in second.stdout


def test_methodology_show_writes_a_toml_that_parses_back(tmp_path):
    import tomllib

    from opora.analytics.methodology import parse_methodology, preset_text

    shown = run("methodology", "show", "altai-2020")
    assert shown.exit_code == 0
    assert shown.output == preset_text("altai-2020")  # no wrapping, no markup
    parsed = parse_methodology(shown.output)
    assert tomllib.loads(shown.output)["low_results"]["threshold"] == parsed.low_results.threshold


@pytest.mark.parametrize("method", ["altai-2020", "rosobrnadzor-risk"])
def test_identify_runs_every_preset_on_a_generated_region(tmp_path, method):
    from opora.demo.generator import RegionSpec, generate_region, write_region

    paths = write_region(
        generate_region(RegionSpec(seed=3, municipalities=2, schools=30)), tmp_path
    )
    out = tmp_path / "out.csv"
    result = run(
        "identify",
        "--schools",
        paths["schools"],
        "--results",
        paths["results"],
        "--context",
        paths["context"],
        "--method",
        method,
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("school_id,categories")
    assert len(lines) == 1 + 30


def test_identify_names_an_unknown_methodology_key_with_its_section(tmp_path):
    from opora.demo.generator import RegionSpec, generate_region, write_region

    paths = write_region(
        generate_region(RegionSpec(seed=3, municipalities=2, schools=30)), tmp_path
    )
    method = tmp_path / "m.toml"
    method.write_text('name = "моя"\n[low_results]\ntreshold = 0.3\n', encoding="utf-8")
    result = run(
        "identify",
        "--schools",
        paths["schools"],
        "--results",
        paths["results"],
        "--method",
        method,
        "--out",
        tmp_path / "out.csv",
    )
    assert result.exit_code != 0
    assert "«treshold» в разделе [low_results]" in result.output
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("procedure", "graded"), [("КДР-9", True), ("Региональный экзамен", False)]
)
def test_identify_accepts_a_regional_procedure_name(tmp_path, procedure, graded):
    """The spec allows «a regional procedure name»; a batch has no catalogue to check it in."""
    schools = tmp_path / "schools.csv"
    schools.write_text(
        "school_id,name,municipality,settlement,students\n"
        "S1,Школа 1,Район,село,40\nS2,Школа 2,Район,город,400\n",
        encoding="utf-8",
    )
    head = "school_id,year,procedure,subject,grade,participants,"
    rows = []
    for year in (2025, 2026):
        if graded:
            rows += [
                f"S1,{year},{procedure},Математика,9,10,4,4,2,0,",
                f"S2,{year},{procedure},Математика,9,20,1,9,6,4,",
            ]
        else:
            rows += [
                f"S1,{year},{procedure},Математика,9,10,,,,,4",
                f"S2,{year},{procedure},Математика,9,20,,,,,1",
            ]
    results = tmp_path / "results.csv"
    results.write_text(
        head + "mark_2,mark_3,mark_4,mark_5,below_min\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    method = tmp_path / "m.toml"
    method.write_text(
        f'name = "регион"\n[low_results]\nprocedures = ["{procedure}"]\n', encoding="utf-8"
    )
    out = tmp_path / "out.csv"
    result = run(
        "identify", "--schools", schools, "--results", results, "--method", method, "--out", out
    )
    assert result.exit_code == 0, result.output
    assert "Региональные процедуры" in result.output
    got = {
        line.split(",")[0]: line.split(",")[1]
        for line in out.read_text(encoding="utf-8").splitlines()[1:]
    }
    # S1: 4 of 10 (40 %) failed in both years → ШНОР; S2: 1 of 20 (5 %) → leader.
    assert got == {"S1": "low_results", "S2": "leader"}


@pytest.mark.parametrize(
    ("args", "russian", "english"),
    [
        (["identify", "--schools", "x.csv"], "Не указан обязательный параметр «--results».", "Missing"),
        (["identify", "--shools", "x.csv"], "Нет такого параметра: --shools. Возможно, имелось в виду: --schools.", "No such option"),
        (["nosuch"], "Нет такой команды «nosuch».", "No such command"),
        (["import"], "Не указан обязательный аргумент «ВИД».", "Missing argument"),
        (["identify", "--out"], "У параметра «--out» не указано значение.", "requires"),
    ],
)  # fmt: skip
def test_usage_errors_are_russian(args, russian, english):
    done = subprocess.run(
        [str(Path(sys.executable).parent / "opora"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 2
    assert russian in done.stderr
    assert english not in done.stderr
    assert "Usage" not in done.stderr


@pytest.mark.parametrize(
    "command",
    [["import"], ["export"], ["template"], ["identify"], ["serve"], ["demo"], ["init"],
     ["user", "add"], ["user", "list"], ["methodology", "show"]],
)  # fmt: skip
def test_the_help_shows_value_types_in_russian_and_none_next_to_flags(command):
    shown = run(*command, "--help")

    assert shown.exit_code == 0, shown.output
    english = re.findall(r"<(?:str|int|integer|float|path|bool|file|directory)>", shown.output)
    assert english == []
    assert re.search(r"<(?:текст|целое|путь|число)>", shown.output) or command in (
        ["init"],
        ["user", "list"],
    )
    help_line = next(line for line in shown.output.splitlines() if "--help" in line)
    assert "<" not in help_line  # a flag takes no value
