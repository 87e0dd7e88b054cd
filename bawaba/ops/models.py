from django.db import models


class Heartbeat(models.Model):
    """The last sign of life of a background process (the Huey worker beats every minute)."""

    name = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField()
    host = models.CharField(max_length=100, blank=True)

    def __str__(self):
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"


class JobFailure(models.Model):
    """A background job that raised: counted in the metrics and listed on the status page."""

    task = models.CharField(max_length=150, db_index=True)
    task_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    error = models.TextField()
    at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.task} {self.at:%Y-%m-%d %H:%M:%S}"
