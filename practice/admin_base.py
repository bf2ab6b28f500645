"""Small pieces shared by the practice's admin classes."""

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """A record kept for the record: it can be read and filtered, never added,
    changed or deleted through the admin."""

    actions = None

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def hide_from_index(site, labels: set[str]) -> None:
    """Keep these models ("app_label.model_name") out of the admin's index: an
    admin never needs them there (allauth's email addresses and authenticators,
    which the app manages, Django's unused groups, and the parts of a
    questionnaire version, which are edited on the version). Their pages still
    work for a link that leads there."""
    for model, model_admin in site._registry.items():
        if model._meta.label_lower in labels:
            model_admin.has_module_permission = lambda request: False
