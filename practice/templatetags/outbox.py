"""Telling staff about email that has not gone out."""

from __future__ import annotations

import datetime

from django import template
from django.db.models import Q
from django.utils import timezone

from practice.models import Client, EmailStatus, OutgoingEmail

register = template.Library()


@register.inclusion_tag("practice/_unsent_emails.html")
def unsent_emails(client: Client | None = None) -> dict:
    """A client's emails not sent yet; without a client, the practice's mail that
    needs attention (given up on, or waiting for over an hour)."""
    if client is None:
        return {"problems": OutgoingEmail.objects.needing_attention().count()}
    # A fresh email is normally gone within seconds: mention it only once a try
    # has failed, or when it has waited long enough to suggest no worker runs.
    a_while_ago = timezone.now() - datetime.timedelta(minutes=5)
    waiting = (
        OutgoingEmail.objects.filter(client=client)
        .exclude(status=EmailStatus.SENT)
        .filter(Q(attempts__gt=0) | Q(created_at__lt=a_while_ago))
    )
    return {"client": client, "waiting": list(waiting.order_by("created_at")[:10])}
