"""What the portal itself remembers: one-time tokens of the request form."""

from django.db import models


class Submission(models.Model):
    """The hidden one-time token of a web request form and the request it created.

    The unique token makes a second press of "Submit" (or a reload of the POST) find the request
    the first one created instead of creating another.
    """

    token = models.UUIDField(unique=True)
    request = models.OneToOneField(
        "servicedesk.Request", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return str(self.token)
