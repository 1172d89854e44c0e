"""The parcours app's one ninja Router. Every module of the API registers on it, because a
path answers all its methods from one router (GET and POST /sessions must meet here)."""

from ninja import Router

router = Router()
