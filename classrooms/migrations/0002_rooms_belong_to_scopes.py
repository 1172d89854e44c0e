"""Classrooms move from a session to a scope (a session or a collaborative space), so a
space's classes have rooms too. Every existing room is attached to its session's scope."""

from django.db import migrations

from parcours.scope_migrations import session_to_scope


class Migration(migrations.Migration):
    dependencies = [
        ("classrooms", "0001_initial"),
        ("parcours", "0005_spaces_and_scopes"),
    ]

    operations = session_to_scope("classrooms", "Classroom", "classrooms")
