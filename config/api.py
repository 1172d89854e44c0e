"""The one NinjaAPI: authentication, the error envelope, and every app's router."""

import math
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from config.bodies import state_limits
from parcours import services
from parcours.errors import ErrorCode, ServiceError


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = services.api_token(token)
        if found is None:
            return None
        # Pages and the API share one notion of "who is asking".
        request.user = found.user
        request.api_token_id = found.pk
        return found.user


class NulFreeJSONParser(Parser):
    """JSON bodies whose strings hold no NUL character, which PostgreSQL cannot store."""

    def parse_body(self, request: HttpRequest) -> dict:
        data = super().parse_body(request)
        field = _field_holding_nul(data, "")
        if field is not None:
            raise ServiceError(
                ErrorCode.INVALID,
                gettext("Le champ « %(field)s » contient un caractère nul.") % {"field": field},
                {"field": field},
            )
        return data


def _field_holding_nul(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        items = ((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
    elif isinstance(value, list):
        items = (
            (f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value)
        )
    else:
        return None
    return next((found for sub, item in items if (found := _field_holding_nul(item, sub))), None)


class PreauAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """The schema, with the body limit of every route that takes a body."""
        return state_limits(super().get_openapi_schema(**kwargs))


api = PreauAPI(
    parser=NulFreeJSONParser(),
    title="Préau API",
    version="1",
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details: dict | None = None
) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return api.create_response(request, body, status=status)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    response = error_response(request, exc.http_status, exc.code, exc.message, exc.details)
    retry = exc.details.get("retry_after")
    if exc.code == ErrorCode.RATE_LIMITED and isinstance(retry, int | float):
        response["Retry-After"] = str(max(1, math.ceil(retry)))
    return response


def _field_name(loc: list | tuple) -> str:
    # ninja locates errors as ("body", "payload", "field", ...), an upload as ("file",
    # "<name>"): keep what names the field.
    if loc and loc[0] == "file":
        loc = loc[1:]
    parts = [str(p) for p in loc if p not in {"body", "payload", "query", "path"}]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = [
        {"field": _field_name(err.get("loc", ())), "message": err["msg"]} for err in exc.errors
    ]
    first = fields[0] if fields else {"field": "body", "message": "invalide"}
    return error_response(
        request,
        422,
        ErrorCode.INVALID,
        gettext("Champ « %(field)s » invalide : %(message)s") % first,
        {"field": first["field"], "fields": fields},
    )


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request,
        401,
        ErrorCode.UNAUTHENTICATED,
        gettext("Authentification requise (jeton ou session)."),
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ServiceError):  # refused while ninja parsed the body
        return _service_error(request, exc.__cause__)
    code = ErrorCode.INVALID if exc.status_code == 400 else ErrorCode.FORBIDDEN
    if exc.status_code == 429:
        code = ErrorCode.RATE_LIMITED
    message = str(exc)
    if message.startswith(gettext("Cannot parse request body")):
        message = "Le corps de la requête n'est pas du JSON valide."
    return error_response(request, exc.status_code, code, message, {"field": "body"})


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, ErrorCode.NOT_FOUND, gettext("Ressource introuvable."))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(
        request,
        413,
        ErrorCode.TOO_LARGE,
        gettext("Corps de requête trop volumineux."),
        {"field": "body"},
    )


def _mount_routers() -> None:
    """Mount the `router` of every Préau app that has an `api` module."""
    for app in settings.PREAU_APPS:
        try:
            module = import_module(f"{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.api":
                raise
            continue
        api.add_router("/", module.router, tags=[app])


_mount_routers()
