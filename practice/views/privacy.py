"""The privacy notice and a client's copy of their data."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from practice import access, privacy
from practice.audit import record
from practice.models import AuditAction, Client, Role, User


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


@never_cache
@access.role_required(Role.CLIENT)
@require_POST
def download_my_data(request: HttpRequest) -> FileResponse:
    client = _own_client(request.user)
    archive = privacy.export_zip(client=client)
    record(action=AuditAction.EXPORTED, request=request, obj=client)
    reply = FileResponse(
        archive,
        as_attachment=True,
        filename="cofactor-data.zip",
        content_type="application/zip",
    )
    reply["Cache-Control"] = "no-store"
    return reply


def _own_client(user: User) -> Client:
    client = access.clients_for(user).first()
    if client is None:
        raise Http404("This account has no client record.")
    return client
