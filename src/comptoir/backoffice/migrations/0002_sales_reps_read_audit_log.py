from django.db import migrations


def install(apps, schema_editor):
    from comptoir.backoffice.sales_reps import install_sales_reps_group

    install_sales_reps_group(apps)


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0001_sales_reps_group")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
