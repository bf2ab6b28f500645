from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from practice.models import Practice


def practice(request: HttpRequest) -> dict:
    """The practice's details for page headers; loaded only if a template uses them."""
    return {"practice": SimpleLazyObject(Practice.current)}
