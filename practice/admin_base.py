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
