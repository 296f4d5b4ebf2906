import os

from django.db import migrations, models

# The pause sits between the table and its second column, so a kill during it lands inside a
# schema's transaction, with the table created but not the column nor the migration record.
PAUSE_SECONDS = float(os.environ.get("DYSA_KILLMIG_PAUSE", "0.6"))


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="Marker",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("label", models.CharField(max_length=20)),
            ],
        ),
        migrations.RunSQL(
            f"DO $$ BEGIN PERFORM pg_sleep({PAUSE_SECONDS}); END $$",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddField(
            model_name="marker",
            name="note",
            field=models.CharField(blank=True, default="", max_length=20),
        ),
    ]
