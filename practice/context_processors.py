from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from practice.models import Practice


def practice(request: HttpRequest) -> dict:
    """The practice's details for page headers; loaded only if a template uses them."""
    return {"practice": SimpleLazyObject(Practice.current)}


def idle_limit(request: HttpRequest) -> dict:
    """Seconds a signed-in person may leave the page unused, for the warning."""
    from practice.middleware import IdleTimeoutMiddleware

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"idle_seconds": int(IdleTimeoutMiddleware.limit_seconds(user))}
