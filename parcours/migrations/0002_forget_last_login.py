"""Forget the login times Django stored before Préau stopped writing them (trust frame)."""

from django.conf import settings
from django.db import migrations


def forget_last_login(apps, schema_editor):
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    apps.get_model(app_label, model_name).objects.exclude(last_login=None).update(last_login=None)


class Migration(migrations.Migration):
    dependencies = [
        ("parcours", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forget_last_login, migrations.RunPython.noop)]
