"""The privacy notice, a client's copy of their data and erasure request, and the
admin's erasure of a client."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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


@access.role_required(Role.CLIENT)
def request_erasure(request: HttpRequest) -> HttpResponse:
    client = _own_client(request.user)
    if request.method == "POST":
        _, created = privacy.request_erasure(client=client, request=request)
        if created:
            messages.success(request, "Your request has been sent to the practice.")
        else:
            messages.info(request, "Your request is already with the practice.")
        return redirect("practice:request-erasure")
    return render(
        request,
        "practice/privacy_erasure_request.html",
        {"client": client, "erasure": privacy.open_erasure_request(client)},
    )


class ConfirmErasureForm(forms.Form):
    email = forms.CharField(
        label="Type the client's email address to confirm",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, client: Client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.helper = FormHelper()
        self.helper.add_input(
            Submit("submit", "Erase this client's data", css_class="btn-danger")
        )

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if email != User.objects.normalize_email(self.client.user.email):
            raise forms.ValidationError(
                "That is not this client's email address, so nothing was erased.",
                code="mismatch",
            )
        return email


@access.role_required(Role.ADMIN)
def erase_client(request: HttpRequest, code: str) -> HttpResponse:
    client = access.get_client(request.user, code)
    if not privacy.has_data_left(client):
        return render(request, "practice/privacy_erase_client.html", {"client": client})
    form = ConfirmErasureForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        privacy.erase_client(client=client, by=request.user, request=request)
        # No name in the message: it is kept in the session until shown.
        messages.success(request, "The client's personal data has been erased.")
        return redirect("practice:erase-client", code=client.code)
    return render(
        request,
        "practice/privacy_erase_client.html",
        {"client": client, "form": form, "counts": privacy.erasure_counts(client)},
    )


def _own_client(user: User) -> Client:
    client = access.clients_for(user).first()
    if client is None:
        raise Http404("This account has no client record.")
    return client
