from django.urls import path

from questionnaires.views import intake, practitioner

app_name = "questionnaires"

urlpatterns = [
    path("q/<uuid:code>/", intake.resume, name="resume"),
    path("q/<uuid:code>/step/<int:step>/", intake.step, name="step"),
    path("q/<uuid:code>/step/<int:step>/autosave/", intake.autosave, name="autosave"),
    path("q/<uuid:code>/review/", intake.review, name="review"),
    path("q/<uuid:code>/submit/", intake.submit, name="submit"),
    path("q/<uuid:code>/submitted/", intake.submitted, name="submitted"),
    path(
        "clients/<uuid:code>/send-questionnaire/",
        practitioner.send_questionnaire,
        name="send",
    ),
    path("responses/<uuid:code>/reopen/", practitioner.reopen, name="reopen"),
]
