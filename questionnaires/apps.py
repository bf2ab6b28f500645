from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"
    verbose_name = "Questionnaires"

    def ready(self) -> None:
        # Registers the knowledge-base system check.
        from questionnaires import checks  # noqa: F401
