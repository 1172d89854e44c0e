from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StrictInt

from parcours.inputs import Id

QuestionKind = Literal["single", "multiple", "text"]


class QuestionIn(Schema):
    text: Annotated[str, Field(min_length=1, max_length=1000)]
    kind: QuestionKind
    choices: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=20)] = []


class QuestionnaireIn(Schema):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    # Chosen once: a nominative questionnaire shows trainers who answered what.
    nominative: bool = False
    questions: Annotated[list[QuestionIn], Field(min_length=1, max_length=50)]
    # The questionnaire activity of the parcours it fills, if any.
    activity_id: Id | None = None


class QuestionOut(Schema):
    id: int
    text: str
    kind: str
    choices: list[str]


class QuestionnaireOut(Schema):
    id: int
    session_id: int
    activity_id: int | None
    title: str
    nominative: bool
    answered: bool
    questions: list[QuestionOut]


class QuestionnaireRowOut(Schema):
    id: int
    activity_id: int | None
    title: str
    nominative: bool
    questions: int
    answered: bool
    # How many have answered: for the session's trainers and tutors only.
    responses: int | None


class AnswersIn(Schema):
    # {question id: [choice indexes]} for multiple-choice questions, {question id: "text"}.
    answers: dict[
        Id, list[Annotated[StrictInt, Field(ge=0, le=100)]] | Annotated[str, Field(max_length=5000)]
    ]


class ChoiceCountOut(Schema):
    label: str
    # null while an anonymous questionnaire has fewer responses than the threshold.
    count: int | None


class QuestionResultOut(Schema):
    id: int
    text: str
    kind: str
    choices: list[ChoiceCountOut]
    texts: list[str]


class ResultsOut(Schema):
    """Group results: counts and texts, never a name."""

    questionnaire_id: int
    title: str
    nominative: bool
    responses: int
    withheld: bool
    threshold: int
    questions: list[QuestionResultOut]


class NominativeAnswerOut(Schema):
    name: str
    answers: list[str]
