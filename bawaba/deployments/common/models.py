"""Model bases and vocabularies shared by the work, field and billing models: money and quantity fields,
localised names, rows frozen once used, the acceptance decision, idempotency records, immutable documents."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bawaba.core.localised import LocalisedNameMixin

MONEY = {"max_digits": 16, "decimal_places": 2}
QUANTITY = {"max_digits": 12, "decimal_places": 3}
RATE = {"max_digits": 6, "decimal_places": 4}


class Localised(LocalisedNameMixin, models.Model):
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):  # a model's own, so that linters and the admin see it
        return self.name


# --------------------------------------------------------------------------- rules and prices


class FrozenOnceUsedQuerySet(models.QuerySet):
    """`update()` of a frozen field is refused as `save()` is, when any of the rows is in use: a bulk update
    must not change a price or a threshold retroactively either (each row's use is checked: such updates are
    rare, and every row must be checked before anything is written)."""

    def update(self, **kwargs):
        frozen = set(self.model.frozen_fields) or {f.name for f in self.model._meta.concrete_fields}
        frozen |= {self.model._meta.get_field(name).attname for name in frozen}
        if frozen & set(kwargs):
            for row in self:
                if row.is_in_use():
                    raise ValidationError(row.in_use_message(), code="published_version_in_use")
        return super().update(**kwargs)


class FrozenOnceUsed(models.Model):
    """A published version (rule set, price item) that refuses edits once work has been decided with it.

    Thresholds and prices must never change retroactively: publish a new version instead. `clean()` shows the
    refusal in forms (admin); `save()` refuses it from code. Only a real change of a frozen field is refused.
    """

    frozen_fields: tuple[str, ...] = ()  # field names; empty = every concrete field

    objects = FrozenOnceUsedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_retroactive_change()
        super().save(*args, **kwargs)

    def is_in_use(self) -> bool:
        raise NotImplementedError

    def in_use_message(self):
        raise NotImplementedError

    def changed_frozen_fields(self) -> list[str]:
        if self._state.adding or self.pk is None:
            return []
        fields = [f for f in self._meta.concrete_fields
                  if not f.primary_key and (not self.frozen_fields or f.name in self.frozen_fields)]
        stored = type(self)._base_manager.filter(pk=self.pk).values(*[f.attname for f in fields]).first()
        if stored is None:
            return []
        changed = []
        for field in fields:
            try:
                value = field.to_python(getattr(self, field.attname))
            except ValidationError:
                value = getattr(self, field.attname)
            if value != stored[field.attname]:
                changed.append(field.name)
        return changed

    def _refuse_retroactive_change(self):
        if self.changed_frozen_fields() and self.is_in_use():
            raise ValidationError(self.in_use_message(), code="published_version_in_use")

    def clean(self):
        super().clean()
        self._refuse_retroactive_change()


# --------------------------------------------------------------------------- billing


class ImmutableDocumentError(Exception):
    """An issued statement was about to change. Corrections are new documents."""


class IdempotencyRecord(models.Model):
    """A money write (payment, correction) made under a client's Idempotency-Key or a form's token.

    Stored in the same transaction as the write, so a retry finds either both or neither; the unique key
    makes a concurrent retry wait for the first submission and then replay it.
    """

    key_hash = models.CharField(max_length=64, unique=True)  # sha256 of kind, organisation and key
    kind = models.CharField(max_length=20)
    fingerprint = models.CharField(max_length=64)  # sha256 of the request's values
    object_pk = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.kind} {self.object_pk}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DOUBTFUL = "doubtful", _("Doubtful, for an inspector")
