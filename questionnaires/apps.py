from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"
    verbose_name = "Questionnaires"

    def ready(self) -> None:
        from django.contrib.auth import signals

        # Registers the knowledge-base system check.
        from questionnaires import case_summary, checks  # noqa: F401

        signals.user_logged_in.connect(
            case_summary.on_sign_in, dispatch_uid="case-summary-sign-in"
        )
