"""越级访 awaiting its guidance report, newest first, through a small partial index.

The office's home page counts them and the cross-level page lists them (reception.cross_level.open_cross_level): a few
percent of the petitions, but with no index of its own the query read the whole table and sorted the matches (15 ms
at 50,000 petitions on SQLite, docs/data.md "Figures"). The index holds only the cross-level petitions in received
order. Its condition is a boolean column, which Django writes without a parameter, so SQLite's planner matches it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("petitions", "0016_status_category_registered")]

    operations = [
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(fields=["received_at"], condition=models.Q(cross_level=True), name="petition_cross_level_received"),
        ),
    ]
