from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="workflow_state",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.RunSQL(
            "UPDATE cases_case SET workflow_state = '' WHERE workflow_state IS NULL",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="case",
            name="workflow_state",
            field=models.TextField(blank=True, default=""),
        ),
    ]
