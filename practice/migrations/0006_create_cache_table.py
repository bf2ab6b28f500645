from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    """Sign-in's rate limits live in the database cache: make its table here, so a
    forgotten `createcachetable` cannot turn every sign-in into an error. Does
    nothing for a cache that is not in the database, or a table already there."""
    call_command(
        "createcachetable", database=schema_editor.connection.alias, verbosity=0
    )


class Migration(migrations.Migration):
    dependencies = [("practice", "0005_outgoing_email_and_erased_flag")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
