from django.urls import path

from . import views

app_name = "questionnaires"

urlpatterns = [
    path(
        "sessions/<int:session_id>/questionnaires/",
        views.session_questionnaires,
        name="session_questionnaires",
    ),
    path("questionnaires/<int:questionnaire_id>/", views.questionnaire_page, name="questionnaire"),
]
