"""Apps allowed to post Open311 service requests, and what a GeoReport request carries beyond the desk's
columns. An Open311 service request IS a service desk request (servicedesk.Request)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class App(models.Model):
    """A civic app with an Open311 api_key (issued by a platform admin). Only the key's SHA-256 is stored; the
    prefix (between `o311_` and the secret) names the key in lists and logs."""

    name = models.CharField(_("name"), max_length=100)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("created at"), editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 app")
        verbose_name_plural = _("Open311 apps")

    def __str__(self):
        return f"{self.name} (o311_{self.prefix}_…)"


class Report(models.Model):
    """The GeoReport fields of a request submitted through Open311."""

    request = models.OneToOneField("servicedesk.Request", on_delete=models.CASCADE, primary_key=True,
                                   related_name="open311")
    app = models.ForeignKey(App, on_delete=models.PROTECT, related_name="reports")
    token = models.CharField(max_length=32, unique=True)
    description = models.TextField(blank=True)
    lat = models.FloatField(null=True, blank=True)
    long = models.FloatField(null=True, blank=True)
    address_string = models.CharField(max_length=500, blank=True)
    address_id = models.CharField(max_length=100, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"Open311 {self.request_id}"
