"""Unblock staff caught by an unverified address (see practice/addresses.py).

Before this release allauth could leave an unverified EmailAddress row for an
account's own address (a password reset asked by anyone), which stopped two-factor
set-up for good, and people could add addresses of their own. The account's own
address becomes verified and primary; any other address goes (nobody verified it,
and signing in or resetting a password must not use it).
"""

from django.db import migrations


def trust_own_addresses(apps, schema_editor):
    EmailAddress = apps.get_model("account", "EmailAddress")
    seen = set()
    for row in EmailAddress.objects.select_related("user").order_by("pk"):
        own = row.email.lower() == (row.user.email or "").lower()
        if not own or row.user_id in seen:
            row.delete()
            continue
        seen.add(row.user_id)
        if not (row.verified and row.primary):
            row.verified = row.primary = True
            row.save(update_fields=["verified", "primary"])


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0005_staff_invitation"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.RunPython(trust_own_addresses, migrations.RunPython.noop),
    ]
