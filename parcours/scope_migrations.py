"""Moving a model that belonged to a session onto its scope, for the apps' migrations: a
nullable `scope` is added, each row goes to its session's scope, `session` is removed and
`scope` made required. Back, a row of a space has no session and stops the way."""

import django.db.models.deletion
from django.db import migrations, models


def _scope_field(related_name: str, null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name=related_name,
        to="parcours.scope",
    )


def session_to_scope(app_label: str, model_name: str, related_name: str) -> list:
    """The operations moving `app_label.model_name` (whose `session` and new `scope` are
    both named `related_name` on the other side) from its session to its scope."""
    lower = model_name.lower()

    def forward(apps, schema_editor) -> None:
        scope = apps.get_model("parcours", "Scope")
        model = apps.get_model(app_label, model_name)
        scopes = dict(scope.objects.filter(session__isnull=False).values_list("session_id", "pk"))
        for session_id in set(model.objects.values_list("session_id", flat=True)):
            model.objects.filter(session_id=session_id).update(scope_id=scopes[session_id])

    def backward(apps, schema_editor) -> None:
        scope = apps.get_model("parcours", "Scope")
        model = apps.get_model(app_label, model_name)
        sessions = dict(scope.objects.filter(session__isnull=False).values_list("pk", "session_id"))
        if model.objects.exclude(scope_id__in=sessions).exists():
            raise RuntimeError(f"{model_name} rows of collaborative spaces have no session")
        for scope_id, session_id in sessions.items():
            model.objects.filter(scope_id=scope_id).update(session_id=session_id)

    return [
        migrations.AddField(lower, "scope", _scope_field(related_name, True)),
        migrations.AlterField(
            model_name=lower,
            name="session",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name=related_name,
                to="parcours.session",
            ),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name=lower, name="session"),
        migrations.AlterField(lower, "scope", _scope_field(related_name, False)),
    ]
