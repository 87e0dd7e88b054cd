from django.db import models


class LiveEvent(models.Model):
    """One change that connected screens should hear about. The id is the stream's position: it only grows,
    and events commit in id order (docs/live.md), so "everything after id N" is a complete catch-up for a
    browser that reconnects with Last-Event-ID: N."""

    id = models.BigAutoField(primary_key=True)
    topic = models.CharField(max_length=100)  # "queue:12", "user:7": who may hear it is decided by the topic
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["topic", "id"], name="live_event_topic_id")]

    def __str__(self):
        return f"{self.id} {self.topic} {self.kind}"
