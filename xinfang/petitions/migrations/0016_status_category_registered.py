"""A list filtered by status and category together, newest first, through one index.

`?status=evaluated&category=…` had only indexes answering one filter each: at 1M petitions PostgreSQL read every row
of the status through a bitmap (8,976), kept the category's (610) and sorted them for a page of 51 (9.6 ms of
execution; the API's filtered list p95 57 ms at 1M, 217 ms at 10M, docs/data.md "Figures"). (status, category,
registered_at) holds the rows of one status and category in list order: a backward index scan reads the page (52
rows, 0.8 ms).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("petitions", "0015_search_number_trigrams")]

    operations = [
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(fields=["status", "category", "registered_at"], name="petition_status_cat_registered"),
        ),
    ]
