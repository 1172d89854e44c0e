"""Scheduled classes and "entre pairs" series move from a session to a scope (a session or a
collaborative space). Every existing row is attached to the scope of its session; a class
without a session could not be reached, and the migration stops rather than guess."""

import django.db.models.deletion
from django.db import migrations, models


def attach_to_scopes(apps, schema_editor):
    Scope = apps.get_model("parcours", "Scope")
    scopes = dict(Scope.objects.filter(session__isnull=False).values_list("session_id", "pk"))
    for name in ("Series", "ScheduledClass"):
        model = apps.get_model("scheduling", name)
        orphans = list(model.objects.filter(session__isnull=True).values_list("pk", flat=True))
        if orphans:
            raise RuntimeError(f"{name} rows without a session, give them one first: {orphans}")
        for session_id in set(model.objects.values_list("session_id", flat=True)):
            model.objects.filter(session_id=session_id).update(scope_id=scopes[session_id])


def back_to_sessions(apps, schema_editor):
    Scope = apps.get_model("parcours", "Scope")
    sessions = dict(Scope.objects.filter(session__isnull=False).values_list("pk", "session_id"))
    for name in ("Series", "ScheduledClass"):
        model = apps.get_model("scheduling", name)
        if model.objects.exclude(scope_id__in=sessions).exists():
            raise RuntimeError(f"{name} rows of collaborative spaces have no session to go back to")
        for scope_id, session_id in sessions.items():
            model.objects.filter(scope_id=scope_id).update(session_id=session_id)


def scope_field(related_name, null):
    return models.ForeignKey(
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name=related_name,
        to="parcours.scope",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0001_initial"),
        ("parcours", "0005_spaces_and_scopes"),
    ]

    operations = [
        migrations.AddField("series", "scope", scope_field("series", True)),
        migrations.AddField("scheduledclass", "scope", scope_field("scheduled_classes", True)),
        migrations.AlterField(
            model_name="series",
            name="session",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="series",
                to="parcours.session",
            ),
        ),
        migrations.RunPython(attach_to_scopes, back_to_sessions),
        migrations.RemoveField(model_name="series", name="session"),
        migrations.RemoveField(model_name="scheduledclass", name="session"),
        migrations.AlterField("series", "scope", scope_field("series", False)),
        migrations.AlterField("scheduledclass", "scope", scope_field("scheduled_classes", False)),
    ]
