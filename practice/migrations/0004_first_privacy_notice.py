"""Publish a first privacy notice, so a new installation has one from the start.

The practice's name and contact details are shown with the notice when it is
displayed, so the text needs no editing before use; an admin can publish a new
version in the admin at any time.
"""

from django.db import migrations
from django.utils import timezone

FIRST_VERSION = "1"

TEXT = """\
# Who we are

This notice explains how the practice named above ("we", "us") uses the information you give us when you use this site. We decide how it is used, which makes us the data controller. You can reach us at the contact details above about anything in this notice.

# What we collect

- Your name, email address and date of birth.
- What you tell us in the health questionnaire: your goals, symptoms, health conditions, medicines, supplements, diet and lifestyle.
- What your practitioner writes about you: their review of your answers, their notes and the advice summaries they give you.
- A record of who opened or changed your record and when, and of when you signed in.

# Why we use it, and the law that allows it

We use your information to give you nutritional therapy: to understand your health, to check how your medicines, supplements and diet may affect each other, and to write advice for you. We use your name and contact details to provide the service you asked for (a contract with you).

Information about your health is special category data. We use it only with your explicit consent, which you give in the questionnaire. You can withdraw your consent at any time by telling us; we will then stop using your health information, although this does not affect what we did before.

Nutritional therapy is not a medical diagnosis. If your answers suggest you should see a doctor, your practitioner will tell you.

# Who sees it

Your practitioner and the practice's administrators. Nobody else, unless you ask us to share something (for example a letter for your GP) or the law requires it. We never sell your information or use it for marketing.

Our emails to you never contain health information: they tell you that something is ready, and you sign in to see it. Companies that host this site or send its emails for us may handle your information only on our instructions and keep it secure.

# How long we keep it

We keep your records while you are our client and then for seven years after your last appointment, as professional bodies and insurers advise, so that we can answer questions about the care we gave. After that we erase them.

If you ask us to erase your data sooner, we will, unless we must keep something for a legal reason; if so, we will tell you what and why. We keep a record that your data was erased, without your personal details, so that we can show we did it.

# Your rights

- Access: you can download a copy of your information from your portal at any time ("Download my data"), or ask us for everything we hold about you.
- Rectification: ask us to correct anything that is wrong or incomplete.
- Erasure: ask us to delete your account and your data ("Ask to delete my account" in your portal).
- Portability: your download is in a common, machine-readable format (JSON) that you can take to another practitioner.
- Restriction and objection: ask us to stop using your information while a concern is looked into.
- Withdrawing consent: tell us at any time.

We answer requests within one month, free of charge.

# Complaints

If you are unhappy with how we use your information, please tell us first so that we can put it right. You can also complain to the Information Commissioner's Office (ICO), the UK's data protection regulator: ico.org.uk/make-a-complaint or 0303 123 1113.

# Changes to this notice

When we change this notice we publish a new version; its number and date are shown at the top. Your record keeps the version you agreed to.
"""


def publish_first_notice(apps, schema_editor):
    PrivacyNotice = apps.get_model("practice", "PrivacyNotice")
    if not PrivacyNotice.objects.exists():
        PrivacyNotice.objects.create(
            version=FIRST_VERSION, text=TEXT, published_at=timezone.now()
        )


def withdraw_first_notice(apps, schema_editor):
    PrivacyNotice = apps.get_model("practice", "PrivacyNotice")
    PrivacyNotice.objects.filter(version=FIRST_VERSION, published_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("practice", "0003_audit_privacy")]

    operations = [migrations.RunPython(publish_first_notice, withdraw_first_notice)]
