from django.db import migrations


def install_default_rules(apps, schema_editor):
    from warmwinter.weather import defaults

    defaults.install(apps)


class Migration(migrations.Migration):
    dependencies = [("weather", "0001_initial")]

    operations = [migrations.RunPython(install_default_rules, migrations.RunPython.noop)]
