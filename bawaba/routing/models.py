"""Routing rules (checked first) and agents' corrections (training data for the classifier)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoutingRule(models.Model):
    """An explicit rule: every condition given must match. Lower `order` is tried first."""

    name = models.CharField(max_length=120)
    order = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    channel = models.CharField(max_length=10, blank=True, help_text=_("Match this channel only"))
    category = models.CharField(max_length=80, blank=True, help_text=_("Match this citizen-chosen category"))
    keywords = models.TextField(
        blank=True,
        help_text=_(
            "One keyword or phrase per line; any one matching (accents and case ignored). Latin-script "
            "keywords match at the start of a word, Arabic-script ones anywhere (Arabic attaches prefixes)."
        ),
    )
    service = models.ForeignKey("orgs.Service", on_delete=models.CASCADE, related_name="routing_rules")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class RoutingCorrection(models.Model):
    """An agent moved an automatically routed request: what the text was and where it belonged."""

    request = models.ForeignKey("servicedesk.Request", on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    predicted_code = models.CharField(max_length=80)
    corrected_code = models.CharField(max_length=80)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    used_in_training = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.predicted_code} → {self.corrected_code}"
