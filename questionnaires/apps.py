from django.apps import AppConfig
from django.db.models.signals import post_migrate


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"
    verbose_name = "Questionnaires"

    def ready(self) -> None:
        from django.contrib.auth import signals

        # Registers the knowledge-base system check.
        from questionnaires import checks  # noqa: F401
        from questionnaires.dashboard import case_summary
        from questionnaires.rechecks.after_deploy import after_migrate

        # A deploy runs migrate: that is when new knowledge arrives.
        post_migrate.connect(after_migrate, sender=self)
        signals.user_logged_in.connect(
            case_summary.on_sign_in, dispatch_uid="case-summary-sign-in"
        )
