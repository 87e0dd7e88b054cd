"""Reference geography, loaded from maintained packages (see bawaba.geo.loader), never typed in."""

from __future__ import annotations

from django.db import models

from bawaba.core.localised import LocalisedNameMixin


class LocalisedName(LocalisedNameMixin, models.Model):
    name_fr = models.CharField(max_length=120)
    name_ar = models.CharField(max_length=120, blank=True)
    name_en = models.CharField(max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self):  # a model's own, so that linters and the admin see it
        return self.name


class Region(LocalisedName):
    """First-level division: an Algerian wilaya or a Congolese department."""

    country = models.CharField(max_length=2, db_index=True)  # ISO 3166-1 alpha-2
    code = models.CharField(max_length=12)  # "16" for Alger, "CG-BZV" for Brazzaville
    # A wilaya created by a split keeps its former wilaya here so reports stay comparable.
    former_region = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_in = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year the division was created")

    class Meta:
        ordering = ["country", "code"]
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="geo_region_unique_code")]

    def division_before(self, reform_year: int) -> Region:
        """The division this region belonged to before the reform of that year: itself if it is older, else
        the wilaya it was split from. (The recorded parent is the oldest one, from the postal prefix: exact
        as long as no reform splits a wilaya that an earlier reform created, which holds for 2019 and 2026.)"""
        if self.created_in and self.created_in >= reform_year and self.former_region_id:
            return self.former_region
        return self


class District(LocalisedName):
    """Second level: an Algerian daïra."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts")

    class Meta:
        ordering = ["region", "name_fr"]


class Commune(LocalisedName):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="communes")
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="communes")
    postal_code = models.CharField(max_length=10, blank=True, db_index=True)

    class Meta:
        ordering = ["region", "name_fr"]
