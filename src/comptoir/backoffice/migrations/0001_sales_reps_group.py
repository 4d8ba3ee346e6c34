from django.db import migrations


def install(apps, schema_editor):
    from comptoir.backoffice.sales_reps import install_sales_reps_group

    install_sales_reps_group(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_predefined_roles"),
        ("ordering", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
