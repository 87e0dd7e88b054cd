from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('servicedesk', '0003_index_org_updated'),
    ]

    operations = [
        migrations.AlterField(
            model_name='requestevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Created'), ('routed', 'Routed'), ('assigned', 'Assigned'), ('status', 'Status changed'), ('priority', 'Priority changed'), ('replied', 'Replied to the citizen'), ('note', 'Internal note'), ('citizen_message', 'Citizen wrote'), ('attachment', 'Attachment added'), ('transferred', 'Transferred'), ('merged', 'Merged'), ('escalated', 'Escalated'), ('sla_paused', 'SLA paused'), ('sla_resumed', 'SLA resumed'), ('sla_calendar_error', 'SLA counted around the clock (calendar unusable)')], max_length=20),
        ),
        migrations.AddIndex(
            model_name='requestaccess',
            index=models.Index(fields=['organisation', 'granted_at'], name='sd_access_org_granted'),
        ),
    ]
