from django.contrib import admin

from .models import Commune, District, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_ar", "country", "former_region", "created_in"]
    list_filter = ["country", "created_in"]
    search_fields = ["code", "name_fr", "name_ar"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name_fr", "name_ar", "region"]
    search_fields = ["name_fr", "name_ar"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name_fr", "name_ar", "postal_code", "region", "district"]
    list_filter = ["region__country"]
    search_fields = ["name_fr", "name_ar", "postal_code"]
