"""The "Mine" and "Unassigned" views count their threads from counters kept by the services
(``counters.assigned_counter``); this sets them from the rows once, for a desk that has threads
already. The same query as ``counters.assigned_by_employee``, repeated here so the migration does
not change when that module does."""

from django.db import migrations
from django.db.models import Count


def assigned_count(apps, schema_editor):
    Thread = apps.get_model("threads", "Thread")
    DeskCounter = apps.get_model("threads", "DeskCounter")
    rows = (
        Thread.objects.exclude(status="closed")
        .values_list("assignee")
        .annotate(n=Count("id"))
        .order_by()
    )
    values = {"assigned:none": 0}
    values.update(
        {
            f"assigned:{assignee}" if assignee is not None else "assigned:none": n
            for assignee, n in rows
        }
    )
    for name, value in values.items():
        DeskCounter.objects.update_or_create(name=name, defaults={"value": value})


class Migration(migrations.Migration):
    dependencies = [("threads", "0016_saved_filter")]

    operations = [migrations.RunPython(assigned_count, migrations.RunPython.noop)]
