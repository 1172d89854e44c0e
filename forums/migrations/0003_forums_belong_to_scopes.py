"""Forums and their moderation log move from a session to a scope (a session or a space).

Every existing forum keeps its discussions: it is attached to the scope of the session it
belonged to. A forum without a session could not be reached by any page or route; there is
none to carry over, and the migration stops rather than guess an owner if one is found.
"""

import django.db.models.deletion
from django.db import migrations, models


def attach_to_scopes(apps, schema_editor):
    Forum = apps.get_model("forums", "Forum")
    ModerationEntry = apps.get_model("forums", "ModerationEntry")
    Scope = apps.get_model("parcours", "Scope")
    orphans = list(Forum.objects.filter(session__isnull=True).values_list("pk", flat=True))
    if orphans:
        raise RuntimeError(f"forums without a session, give them an owner first: {orphans}")
    scopes = dict(Scope.objects.filter(session__isnull=False).values_list("session_id", "pk"))
    for forum in Forum.objects.only("pk", "session_id").iterator():
        Forum.objects.filter(pk=forum.pk).update(scope_id=scopes[forum.session_id])
    for session_id, scope_id in scopes.items():
        ModerationEntry.objects.filter(session_id=session_id).update(scope_id=scope_id)


def back_to_sessions(apps, schema_editor):
    Forum = apps.get_model("forums", "Forum")
    ModerationEntry = apps.get_model("forums", "ModerationEntry")
    Scope = apps.get_model("parcours", "Scope")
    sessions = dict(Scope.objects.filter(session__isnull=False).values_list("pk", "session_id"))
    for scope_id, session_id in sessions.items():
        Forum.objects.filter(scope_id=scope_id).update(session_id=session_id)
        ModerationEntry.objects.filter(scope_id=scope_id).update(session_id=session_id)


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0002_forum_activity"),
        ("parcours", "0005_spaces_and_scopes"),
    ]

    operations = [
        migrations.AddField(
            model_name="forum",
            name="scope",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="forums",
                to="parcours.scope",
            ),
        ),
        migrations.AddField(
            model_name="moderationentry",
            name="scope",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="forum_moderation",
                to="parcours.scope",
            ),
        ),
        migrations.RunPython(attach_to_scopes, back_to_sessions),
        migrations.RemoveField(model_name="forum", name="session"),
        migrations.RemoveField(model_name="moderationentry", name="session"),
        migrations.AlterField(
            model_name="forum",
            name="scope",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="forums",
                to="parcours.scope",
            ),
        ),
    ]
