from django.urls import path

from . import views

app_name = "questionnaires"

urlpatterns = [
    path(
        "sessions/<id:session_id>/questionnaires/",
        views.session_questionnaires,
        name="session_questionnaires",
    ),
    path("questionnaires/<id:questionnaire_id>/", views.questionnaire_page, name="questionnaire"),
]
