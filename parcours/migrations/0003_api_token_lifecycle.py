"""API tokens get a name, an expiry and the stamp of the password they were issued under.

Tokens issued before had neither: they are given the default lifetime from now and the
stamp of their owner's current password.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def date_existing_tokens(apps, schema_editor):
    from parcours.models import password_stamp

    ApiToken = apps.get_model("parcours", "ApiToken")
    expires = timezone.now() + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)
    for token in ApiToken.objects.select_related("user"):
        token.expires_at = expires
        token.password_stamp = password_stamp(token.user)
        token.save(update_fields=["expires_at", "password_stamp"])


class Migration(migrations.Migration):
    dependencies = [("parcours", "0002_forget_last_login")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="name",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="password_stamp",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterModelOptions(
            name="apitoken", options={"ordering": ["-expires_at", "-id"]}
        ),
        migrations.RunPython(date_existing_tokens, migrations.RunPython.noop),
    ]
