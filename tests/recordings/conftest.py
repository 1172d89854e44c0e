"""Recordings' fixtures: a storage and a spool of their own, ready recordings with a real file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from recordings.models import Recording
from tests.recordings.media import write_webm


@pytest.fixture(scope="session")
def webm_bytes(tmp_path_factory) -> bytes:
    """A real three-second WebM (made once per run)."""
    return write_webm(tmp_path_factory.mktemp("webm") / "fixture.webm").read_bytes()


@pytest.fixture
def media_dirs(settings, tmp_path) -> dict[str, Path]:
    """The recordings storage and the recorder's spool, in this test's own folders."""
    stored, spool = tmp_path / "stored", tmp_path / "spool"
    settings.STORAGES = settings.STORAGES | {
        "recordings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": stored},
        }
    }
    settings.RECORDINGS_SPOOL = spool
    return {"stored": stored, "spool": spool}


@pytest.fixture
def make_recording(media_dirs, webm_bytes):
    """`make_recording(session, **fields)`: a ready recording whose file is in storage."""

    def make(session, *, title: str = "Classe du lundi", **fields) -> Recording:
        recording = Recording(
            scope=session.scope,
            title=title,
            state=Recording.State.READY,
            seconds=3.0,
            size=len(webm_bytes),
            **fields,
        )
        recording.file.save("segment.webm", ContentFile(webm_bytes), save=False)
        recording.save()
        return recording

    return make


def stored_path(recording: Recording) -> Path:
    return Path(recording.file.path)
