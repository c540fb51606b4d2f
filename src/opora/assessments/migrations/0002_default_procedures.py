from django.db import migrations

from opora.assessments.catalogue import ensure_default_procedures


def add_procedures(apps, schema_editor):
    ensure_default_procedures(apps.get_model("assessments", "Procedure"))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(add_procedures, migrations.RunPython.noop)]
