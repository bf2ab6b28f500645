"""The privacy notice."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from practice import privacy


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The current privacy notice, for anyone (it is linked from the consent)."""
    notice = privacy.current_notice()
    return render(
        request,
        "practice/privacy_notice.html",
        {
            "notice": notice,
            "blocks": privacy.notice_blocks(notice.text) if notice else [],
        },
    )
