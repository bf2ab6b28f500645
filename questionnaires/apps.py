from django.apps import AppConfig
from django.db.models.signals import post_migrate


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"
    verbose_name = "Questionnaires"

    def ready(self) -> None:
        # Registers the knowledge-base system check.
        from questionnaires import checks  # noqa: F401
        from questionnaires.rechecks import after_migrate

        # A deploy runs migrate: that is when new knowledge arrives.
        post_migrate.connect(after_migrate, sender=self)
