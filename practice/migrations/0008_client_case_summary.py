"""Store each client's case summary for the dashboard, fill it for every client,
and index what the dashboard sorts, filters and searches by (issue 15)."""

import django.db.models.deletion
import django.utils.timezone
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

# Indexes SQLite cannot make, so made on PostgreSQL only (SQLite reads the table,
# which is fine at its size). Search by part of a name or email is
# `UPPER(column) LIKE UPPER('%...%')` (Django's icontains): a trigram index on the
# same expression serves it. "Submitted, newest first" puts the unsubmitted last.
POSTGRES_INDEXES = {
    "user_full_name_trgm": "practice_user USING gin (UPPER(full_name) gin_trgm_ops)",
    "user_email_trgm": "practice_user USING gin (UPPER(email) gin_trgm_ops)",
    "client_case_submitted_desc": (
        "practice_client (practitioner_id, case_submitted_at DESC NULLS LAST)"
    ),
}


def fill_case_summaries(apps, schema_editor):
    from questionnaires.dashboard.case_summary import refresh_all

    refresh_all(apps.get_model("practice", "Client").objects.all(), apps)


def add_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in POSTGRES_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON {definition}")


def drop_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in POSTGRES_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('practice', '0007_merge_outbox_and_staff_invitations'),
        ('questionnaires', '0008_follow_ups'),
    ]

    operations = [
        migrations.AddField(
            model_name='client',
            name='case_activity_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name='client',
            name='case_open_major',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='client',
            name='case_open_refer',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='client',
            name='case_open_moderate',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='client',
            name='case_open_minor',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='client',
            name='case_open_info',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='client',
            name='case_response',
            field=models.ForeignKey(blank=True, help_text="The client's latest questionnaire.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='questionnaires.response'),
        ),
        migrations.AddField(
            model_name='client',
            name='case_state',
            field=models.CharField(choices=[('invited', 'Invited'), ('no_questionnaire', 'No questionnaire sent'), ('in_progress', 'In progress'), ('reopened', 'Reopened for the client'), ('submitted', 'Submitted'), ('in_review', 'In review'), ('ready_for_advice', 'Ready for advice'), ('summary_issued', 'Summary issued')], default='invited', max_length=20),
        ),
        migrations.AddField(
            model_name='client',
            name='case_submitted_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='client',
            name='case_waiting_since',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_case_summaries, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['practitioner', 'case_state', '-case_activity_at'], name='client_case_state'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['practitioner', '-case_activity_at'], name='client_case_activity'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['practitioner', '-case_open_refer', '-case_open_major', 'case_waiting_since', '-case_activity_at'], name='client_case_urgency'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['practitioner', 'case_submitted_at'], name='client_case_submitted'),
        ),
        migrations.AddIndex(
            model_name='user',
            index=models.Index(fields=['full_name'], name='user_full_name'),
        ),
        TrigramExtension(),
        migrations.RunPython(add_postgres_indexes, drop_postgres_indexes),
    ]
