from django.db import migrations

PROCEDURES = [
    ("ВПР", "Всероссийские проверочные работы", "graded"),
    ("ОГЭ", "Основной государственный экзамен", "graded"),
    ("ЕГЭ", "Единый государственный экзамен", "threshold"),
    ("КДР", "Краевые (региональные) диагностические работы", "graded"),
]


def add_procedures(apps, schema_editor):
    Procedure = apps.get_model("assessments", "Procedure")
    for name, full_name, scoring in PROCEDURES:
        Procedure.objects.get_or_create(
            name=name, defaults={"full_name": full_name, "scoring": scoring}
        )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(add_procedures, migrations.RunPython.noop)]
