from django.urls import path

from questionnaires.advice.views import autosave as advice_autosave
from questionnaires.advice.views import editor as advice
from questionnaires.intake.views import answering as intake
from questionnaires.intake.views import sending as practitioner
from questionnaires.intake.views import suggest
from questionnaires.review.views import case as review
from questionnaires.review.views import closing

app_name = "questionnaires"

urlpatterns = [
    path("q/suggest/<str:kind>/", suggest.suggest, name="suggest"),
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
    path(
        "cases/<uuid:code>/follow-up/",
        practitioner.send_follow_up,
        name="send-follow-up",
    ),
    path("cases/<uuid:code>/", review.case, name="case"),
    path("cases/<uuid:code>/notes/", review.add_note, name="add-note"),
    path("cases/<uuid:code>/close/", closing.close_case, name="close-case"),
    path("cases/<uuid:code>/open/", closing.open_case, name="open-case"),
    path(
        "cases/<uuid:code>/<str:kind>/<uuid:entry>/match/",
        review.match_entry,
        name="match-entry",
    ),
    path("cases/<uuid:code>/advice/", advice.editor, name="advice"),
    path(
        "cases/<uuid:code>/advice/autosave/",
        advice_autosave.autosave,
        name="advice-autosave",
    ),
    path("cases/<uuid:code>/advice/preview/", advice.preview, name="advice-preview"),
    path("cases/<uuid:code>/advice/issue/", advice.issue, name="issue-summary"),
    path("summaries/<uuid:code>/", advice.download, name="download-summary"),
    path("findings/<uuid:code>/decide/", review.decide, name="decide"),
    path("findings/<uuid:code>/undo/", review.undo, name="undo"),
]
