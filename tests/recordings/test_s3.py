"""Recordings in an S3-compatible store through django-storages, as configured by settings.

The store is moto's S3 server on loopback, spoken to over HTTP by boto3 like any bucket;
nothing of the recording touches MEDIA_ROOT."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import pytest

from recordings import services
from tests.recordings.media import write_webm
from tests.services import free_port


@pytest.fixture
def bucket(settings, monkeypatch, tmp_path):
    from moto.server import ThreadedMotoServer

    for name, value in {
        "AWS_ACCESS_KEY_ID": "preau-test",
        "AWS_SECRET_ACCESS_KEY": "preau-test-secret",
        "AWS_DEFAULT_REGION": "eu-west-3",
    }.items():
        monkeypatch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server._port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-3")
    # moto keeps its buckets per process: each test gets one of its own.
    client.bucket = f"preau-recordings-{uuid.uuid4().hex[:8]}"
    client.create_bucket(
        Bucket=client.bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECORDINGS_SPOOL = tmp_path / "spool"
    settings.STORAGES = settings.STORAGES | {
        "recordings": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": client.bucket,
                "endpoint_url": endpoint,
                "region_name": "eu-west-3",
                "default_acl": "private",
                "file_overwrite": False,
            },
        }
    }
    try:
        yield client
    finally:
        server.stop()


def keys(client) -> list[str]:
    return [
        item["Key"] for item in client.list_objects_v2(Bucket=client.bucket).get("Contents", [])
    ]


def test_a_finished_segment_is_stored_in_the_bucket_and_played_by_ranges(
    world, api, client, bucket, tmp_path
):
    segment = services.begin_segment(actor=world.trainer, scope=world.session.scope, room_id=5)
    spool = Path(segment.spool_path)
    spool.parent.mkdir(parents=True)
    data = write_webm(spool, 2.0).read_bytes()
    services.finish_segment(recording=segment, seconds=2.0)

    [key] = keys(bucket)
    assert key.startswith("recordings/") and key.endswith(".webm")
    assert bucket.get_object(Bucket=bucket.bucket, Key=key)["Body"].read() == data
    assert not (tmp_path / "media").exists()  # nothing on local disk
    assert not spool.exists()

    me = api(world.participant)
    link = me.get(f"/recordings/{segment.pk}").json()["playback_url"]
    response = client.get(link, headers=me.headers | {"Range": "bytes=100-1099"})
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == data[100:1100]
    assert response["Content-Range"] == f"bytes 100-1099/{len(data)}"


@pytest.mark.django_db(transaction=True)
def test_deleting_a_recording_removes_its_object_from_the_bucket(world, api, bucket):
    segment = services.begin_segment(actor=world.trainer, scope=world.session.scope, room_id=5)
    Path(segment.spool_path).parent.mkdir(parents=True)
    write_webm(Path(segment.spool_path), 1.0)
    services.finish_segment(recording=segment, seconds=1.0)
    assert len(keys(bucket)) == 1
    assert api(world.trainer).delete(f"/recordings/{segment.pk}").status_code == 204
    assert keys(bucket) == []
