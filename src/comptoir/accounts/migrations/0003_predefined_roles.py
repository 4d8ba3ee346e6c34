from django.db import migrations


def install(apps, schema_editor):
    from comptoir.accounts.permissions import install_predefined_roles

    install_predefined_roles(
        apps.get_model("accounts", "CustomerRole"), apps.get_model("accounts", "RolePermission")
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_company_access")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
