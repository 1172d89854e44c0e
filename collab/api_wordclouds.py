"""Word clouds over HTTP (mounted on collab's router by `collab/api.py`)."""

from django.http import HttpRequest
from ninja import Router, Status

from parcours import selectors as parcours_selectors

from . import wordclouds
from .schemas import CloseIn, HideIn, Id, QueryText, WordCloudIn, WordCloudOut, WordIn

router = Router()


@router.get("/spaces/{space_id}/wordclouds", response=list[WordCloudOut])
def list_clouds(request: HttpRequest, space_id: Id):
    scope = parcours_selectors.get_space_scope(space_id)
    return [wordclouds.cloud(request.user, c) for c in wordclouds.clouds_in(request.user, scope)]


@router.post("/spaces/{space_id}/wordclouds", response={201: WordCloudOut})
def create_cloud(request: HttpRequest, space_id: Id, payload: WordCloudIn):
    scope = parcours_selectors.get_space_scope(space_id)
    made = wordclouds.create_cloud(actor=request.user, scope=scope, **payload.dict())
    return Status(201, wordclouds.cloud(request.user, made))


@router.get("/wordclouds/{cloud_id}", response=WordCloudOut)
def get_cloud(request: HttpRequest, cloud_id: Id):
    return wordclouds.cloud(request.user, wordclouds.readable_cloud(request.user, cloud_id))


@router.post("/wordclouds/{cloud_id}/words", response={201: WordCloudOut})
def add_word(request: HttpRequest, cloud_id: Id, payload: WordIn):
    found = wordclouds.readable_cloud(request.user, cloud_id)
    wordclouds.add_word(actor=request.user, cloud=found, word=payload.word)
    return Status(201, wordclouds.cloud(request.user, found))


@router.delete("/wordclouds/{cloud_id}/words/{normal}", response={204: None})
def remove_word(request: HttpRequest, cloud_id: Id, normal: QueryText):
    found = wordclouds.readable_cloud(request.user, cloud_id)
    wordclouds.remove_word(actor=request.user, cloud=found, normal=normal[:40])
    return Status(204, None)


@router.post("/wordclouds/{cloud_id}/hide", response=WordCloudOut)
def hide_word(request: HttpRequest, cloud_id: Id, payload: HideIn):
    found = wordclouds.readable_cloud(request.user, cloud_id)
    wordclouds.hide_word(
        actor=request.user, cloud=found, normal=payload.word, hidden=payload.hidden
    )
    return wordclouds.cloud(request.user, found)


@router.post("/wordclouds/{cloud_id}/close", response=WordCloudOut)
def close_cloud(request: HttpRequest, cloud_id: Id, payload: CloseIn):
    found = wordclouds.readable_cloud(request.user, cloud_id)
    wordclouds.close_cloud(actor=request.user, cloud=found, closed=payload.closed)
    return wordclouds.cloud(request.user, found)
