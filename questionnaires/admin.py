"""The questionnaires app's admin pages live with their area; Django finds them here."""

from questionnaires.definitions import admin as definitions_admin  # noqa: F401
from questionnaires.rechecks import admin as rechecks_admin  # noqa: F401
