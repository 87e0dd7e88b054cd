"""Issuing app keys and creating GeoReport service requests through the service desk's do_create_request,
in one transaction with their Open311 fields."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.orgs.models import Organisation, Service
from bawaba.servicedesk.models import Channel
from bawaba.servicedesk.services import SUBJECT_MAX, do_create_request

from .models import App, Report

log = logging.getLogger(__name__)

MARK = "o311"
PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
DESCRIPTION_MAX = 4000  # GeoReport v2: "may be limited to 4000 characters"
SHORT_MAX = 100


class Open311Error(Exception):
    """An answer in the Open311 error list: HTTP status and description."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def do_issue_key(name: str, *, contact_email: str = "", created_by=None, now=None) -> tuple[App, str]:
    """A new app and its api_key; the key is shown once (only its hash is stored)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Give the app a name of at most 100 characters.")})
    prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _i in range(8))
    raw = f"{MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    app = App.objects.create(name=name, contact_email=contact_email, prefix=prefix, key_hash=_hash(raw),
                             created_by=created_by, created_at=now or timezone.now())
    log.info("Open311 key %s issued to %s", prefix, name)
    return app, raw


def do_revoke_key(app: App, *, now=None) -> App:
    App.objects.filter(pk=app.pk, revoked_at__isnull=True).update(revoked_at=now or timezone.now())
    app.refresh_from_db()
    return app


def find_app(raw: str) -> App | None:
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != MARK or "\x00" in raw:  # PostgreSQL cannot even compare a NUL
        return None
    app = App.objects.filter(prefix=parts[1][:16], revoked_at__isnull=True).first()
    if app is None or not hmac.compare_digest(app.key_hash, _hash(raw.strip())):
        return None
    return app


def jurisdiction(slug: str | None) -> Organisation | None:
    """The organisation a `jurisdiction_id` names (None when absent: every organisation)."""
    if not slug:
        return None
    slug = slug.replace("\x00", "")[:50]  # PostgreSQL cannot even compare a NUL
    found = Organisation.objects.filter(slug=slug, is_active=True).first()
    if found is None:
        raise Open311Error(404, _("jurisdiction_id “%(id)s” was not found.") % {"id": slug})
    return found


def public_services(organisation: Organisation | None):
    qs = Service.objects.filter(is_active=True, is_public=True, is_orientation=False,
                                organisation__is_active=True).select_related("organisation")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.order_by("code")


def _short(params, name: str, limit: int = SHORT_MAX) -> str:
    value = (params.get(name) or "").replace("\x00", "").strip()
    if len(value) > limit:
        raise Open311Error(400, _("%(name)s is too long (at most %(max)d characters).") % {"name": name, "max": limit})
    return value


def _coordinate(params, name: str, bound: float) -> float | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > bound:
        raise Open311Error(400, _("%(name)s must be a number between -%(bound)d and %(bound)d.")
                           % {"name": name, "bound": bound})
    return value


def do_submit_report(app: App, params, *, organisation: Organisation | None, now: dt.datetime | None = None) -> Report:
    """POST requests: check every field, then create the request and its Open311 row together."""
    now = now or timezone.now()
    code = _short(params, "service_code", 80)
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    service = public_services(None).filter(code=code).first()
    if service is None:
        raise Open311Error(404, _("service_code “%(code)s” was not found.") % {"code": code})
    if organisation is not None and service.organisation_id != organisation.pk:
        raise Open311Error(400, _("service_code “%(code)s” is not a service of jurisdiction “%(id)s”.")
                           % {"code": code, "id": organisation.slug})
    lat, long = _coordinate(params, "lat", 90), _coordinate(params, "long", 180)
    if (lat is None) != (long is None):
        raise Open311Error(400, _("lat and long must be given together."))
    address = _short(params, "address_string", 500)
    address_id = _short(params, "address_id")
    if lat is None and not address and not address_id:
        raise Open311Error(400, _("A location is required: lat and long, address_string or address_id."))
    description = _short(params, "description", DESCRIPTION_MAX)
    email = _short(params, "email", 254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email is not a valid e-mail address.")) from None
    media_url = _short(params, "media_url", 500)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url must be an http or https URL.")) from None
    name = " ".join(part for part in (_short(params, "first_name"), _short(params, "last_name")) if part)
    phone = _short(params, "phone", 32)
    device_id, account_id = _short(params, "device_id"), _short(params, "account_id")

    # What the agent reads: the citizen's words, then where.
    lines = [description or _("(no description)")]
    if address:
        lines.append(_("Address: %(address)s") % {"address": address})
    if address_id:
        lines.append(_("Address id: %(id)s") % {"id": address_id})
    if lat is not None:
        lines.append(_("Location: %(lat).6f, %(long).6f") % {"lat": lat, "long": long})
    if media_url:
        lines.append(_("Photo: %(url)s") % {"url": media_url})
    try:
        with transaction.atomic():
            request = do_create_request(
                channel=Channel.API, citizen_phone=phone, citizen_email=email, citizen_name=name,
                subject=str(service.name)[:SUBJECT_MAX], text="\n".join(lines), category=service.code,
                service=service, contact_required=False, now=now,
            )
            return Report.objects.create(
                request=request, app=app, token=secrets.token_hex(12), description=description, lat=lat, long=long,
                address_string=address, address_id=address_id, device_id=device_id, account_id=account_id,
                media_url=media_url, created_at=now,
            )
    except ValidationError as exc:
        fields = getattr(exc, "message_dict", {"": exc.messages})
        names = {"citizen_phone": "phone", "citizen_email": "email", "text": "description"}
        raise Open311Error(400, "; ".join(f"{names.get(k, k)}: {' '.join(v)}" if k else " ".join(v)
                                          for k, v in fields.items())) from None
