"""Enrolment by CSV import: a preview that says what each line will do or why it cannot,
then an import that writes every line or none (one transaction).

The file is what a spreadsheet saves as "CSV UTF-8": comma or semicolon separated, a header
line naming the columns (`identifiant` or `courriel`, and optionally `nom`, `prénom`,
`établissement`, `circonscription`, `rôle`). An administrator's import also creates the
accounts of people who have none yet (identifier, first and last name given).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from . import accounts, policies
from .errors import ErrorCode, ServiceError
from .models import Membership, Session
from .policies import Action, PlatformAction

MAX_IMPORT_BYTES = 256 * 1024
MAX_IMPORT_LINES = 1000

# Accepted header names (lower case, without accents) and the field each one fills.
COLUMNS = {
    "identifiant": "username",
    "courriel": "email",
    "email": "email",
    "nom": "last_name",
    "prenom": "first_name",
    "etablissement": "school",
    "circonscription": "circonscription",
    "role": "role",
}
ROLES = {
    "": Membership.Role.PARTICIPANT,
    "participant": Membership.Role.PARTICIPANT,
    "participante": Membership.Role.PARTICIPANT,
    "tuteur": Membership.Role.TUTOR,
    "tutrice": Membership.Role.TUTOR,
    "tutor": Membership.Role.TUTOR,
    "formateur": Membership.Role.TRAINER,
    "formatrice": Membership.Role.TRAINER,
    "trainer": Membership.Role.TRAINER,
}


class Outcome:
    ENROL = "enrol"  # an existing account joins the session
    CREATE = "create"  # a new account is created, then joins
    MEMBER = "member"  # already in the session: nothing to do
    ERROR = "error"


@dataclass
class Line:
    number: int  # in the file, the header being line 1
    identifier: str
    name: str = ""
    role: str = Membership.Role.PARTICIPANT
    outcome: str = Outcome.ENROL
    reason: str = ""
    activation_path: str = ""
    user: object = field(default=None, repr=False)
    account: dict = field(default_factory=dict, repr=False)


@dataclass
class Report:
    lines: list[Line]

    @property
    def errors(self) -> list[Line]:
        return [line for line in self.lines if line.outcome == Outcome.ERROR]

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)


def _file_error(message: str, code: ErrorCode = ErrorCode.INVALID, **details) -> ServiceError:
    return ServiceError(code, message, {"field": "file", **details})


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise _file_error(
            gettext("Fichier trop volumineux : %(max)d Kio au plus.")
            % {"max": MAX_IMPORT_BYTES // 1024},
            ErrorCode.TOO_LARGE,
            max_bytes=MAX_IMPORT_BYTES,
        )
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise _file_error(
            gettext(
                "Ligne %(line)d : caractère nul. Le fichier est-il bien un CSV en UTF-8 "
                "(et non en UTF-16) ?"
            )
            % {"line": line},
            line=line,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _file_error(
            gettext(
                "Ligne %(line)d : le fichier n'est pas en UTF-8. Enregistrez-le au format "
                "« CSV UTF-8 »."
            )
            % {"line": line},
            line=line,
        ) from None
    if not text.strip():
        raise _file_error(gettext("Le fichier est vide."))
    return text


def read_csv(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, fields) of each non-blank line; a file-level problem is an error."""
    text = _decode(data)
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [_plain(name) for name in next(rows)]
        unknown = [name for name in header if name not in COLUMNS]
        if unknown:
            raise _file_error(
                gettext("Colonnes inconnues : %(unknown)s. Colonnes possibles : %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(COLUMNS))},
                columns=unknown,
            )
        names = [COLUMNS[name] for name in header]
        if len(set(names)) != len(names):
            raise _file_error(gettext("Une colonne est en double dans l'en-tête."))
        if not {"username", "email"} & set(names):
            raise _file_error(gettext("Il faut une colonne « identifiant » ou « courriel »."))
        parsed = []
        for cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            if len(parsed) >= MAX_IMPORT_LINES:
                raise _file_error(
                    gettext("Trop de lignes : %(max)d au plus par import.")
                    % {"max": MAX_IMPORT_LINES},
                    ErrorCode.TOO_LARGE,
                )
            values = {name: "" for name in names}
            values.update({name: cell.strip() for name, cell in zip(names, cells, strict=False)})
            values["_extra"] = "x" if len(cells) > len(names) else ""
            parsed.append((rows.line_num, values))
    except csv.Error as exc:
        raise _file_error(
            gettext("Ligne %(line)d illisible : %(error)s") % {"line": rows.line_num, "error": exc}
        ) from None
    if not parsed:
        raise _file_error(gettext("Aucune ligne à importer sous l'en-tête."))
    return parsed


def _accounts_named(rows: list[tuple[int, dict]]) -> tuple[dict, dict]:
    users = get_user_model().objects.filter(is_active=True)
    usernames = {values.get("username") for _, values in rows} - {"", None}
    emails = {values.get("email", "").lower() for _, values in rows} - {""}
    by_username = {u.username: u for u in users.filter(username__in=usernames)}
    by_email: dict[str, list] = {}
    for user in users.filter(email__in=emails):  # exact addresses, compared in lower case
        by_email.setdefault(user.email.lower(), []).append(user)
    return by_username, by_email


def plan(*, session: Session, actor, data: bytes) -> Report:
    """What importing `data` into `session` would do, line by line; writes nothing."""
    policies.require(actor, Action.MANAGE_ENROLMENTS, session)
    rows = read_csv(data)
    planner = _Planner(session, actor, rows)
    return Report([planner.line(number, values) for number, values in rows])


def _refuse(message: str) -> None:
    raise ServiceError(ErrorCode.INVALID, message)


class _Planner:
    """The context every line is judged in, read once: accounts named, current members."""

    def __init__(self, session: Session, actor, rows: list[tuple[int, dict]]) -> None:
        self.session, self.actor = session, actor
        self.may_create = policies.decide_in_academy(
            actor, PlatformAction.CREATE_ACCOUNT, session.academy_id
        ).allowed
        self.by_username, self.by_email = _accounts_named(rows)
        self.members = set(
            Membership.objects.filter(session=session).values_list("user_id", flat=True)
        )
        self.seen: dict[str, int] = {}

    def line(self, number: int, values: dict) -> Line:
        line = Line(number=number, identifier=values.get("username") or values.get("email", ""))
        try:
            self._resolve(line, values)
        except ServiceError as exc:
            line.outcome, line.reason = Outcome.ERROR, exc.message
            return line
        key = str(line.user.pk) if line.user else f"new:{line.account['username']}"
        if key in self.seen:
            line.outcome = Outcome.ERROR
            line.reason = gettext("Déjà présent à la ligne %(line)d du fichier.") % {
                "line": self.seen[key]
            }
        elif line.user is not None and line.user.pk in self.members:
            line.outcome, line.reason = Outcome.MEMBER, gettext("Déjà inscrit : rien à faire.")
        self.seen.setdefault(key, number)
        return line

    def _resolve(self, line: Line, values: dict) -> None:
        if values.pop("_extra"):
            _refuse(gettext("Plus de cellules que de colonnes dans l'en-tête."))
        if not line.identifier:
            _refuse(gettext("Ni identifiant ni courriel."))
        role = ROLES.get(_plain(values.get("role", "")))
        if role is None:
            _refuse(
                gettext("Rôle inconnu « %(role)s » : participant, tuteur ou formateur.")
                % {"role": values["role"]}
            )
        line.role = role
        if not policies.decide_enrol(self.actor, self.session, role):
            _refuse(gettext("Seul un administrateur nomme les formateurs et les tuteurs."))
        line.user = self._account(values)
        if line.user is not None:
            line.name = line.user.get_full_name() or line.user.get_username()
            return
        if not self.may_create:
            _refuse(
                gettext("Aucun compte « %(id)s » : un administrateur peut le créer.")
                % {"id": line.identifier}
            )
        if not values.get("username"):
            _refuse(gettext("Compte inconnu : donnez identifiant, nom et prénom pour le créer."))
        fields = ("username", "email", "first_name", "last_name", "school", "circonscription")
        line.account = accounts.clean_account_fields(**{k: values.get(k, "") for k in fields})
        line.outcome = Outcome.CREATE
        line.name = f"{line.account['first_name']} {line.account['last_name']}"

    def _account(self, values: dict):
        username, email = values.get("username", ""), values.get("email", "").lower()
        if username:
            return self.by_username.get(username)
        found = self.by_email.get(email, [])
        if len(found) > 1:
            _refuse(gettext("Plusieurs comptes ont ce courriel : donnez l'identifiant."))
        return found[0] if found else None


@transaction.atomic
def import_members(*, session: Session, actor, data: bytes) -> Report:
    """Enrol every line of `data`, creating the accounts it asks for, or nothing at all."""
    report = plan(session=session, actor=actor, data=data)
    if report.errors:
        raise ServiceError(
            ErrorCode.INVALID,
            gettext("%(count)d ligne(s) en erreur : rien n'a été importé.")
            % {"count": len(report.errors)},
            {"field": "file", "lines": [line_out(line) for line in report.errors]},
        )
    memberships = []
    for line in report.lines:
        if line.outcome == Outcome.CREATE:
            created = accounts.insert_account(line.account, session.academy_id)
            line.user, line.activation_path = created.user, created.activation_path
        if line.outcome in (Outcome.CREATE, Outcome.ENROL):
            memberships.append(Membership(session=session, user=line.user, role=line.role))
    try:
        with transaction.atomic():
            Membership.objects.bulk_create(memberships)
    except IntegrityError:  # someone enrolled one of them meanwhile: start again
        raise ServiceError(
            ErrorCode.CONFLICT,
            gettext("La session a changé pendant l'import : rien n'a été importé, recommencez."),
            {"field": "file"},
        ) from None
    return report


def line_out(line: Line) -> dict:
    """A line of the report as the API and the page show it."""
    return {
        "line": line.number,
        "identifier": line.identifier,
        "name": line.name,
        "role": line.role,
        "outcome": line.outcome,
        "reason": line.reason,
        "activation_path": line.activation_path or None,
    }
