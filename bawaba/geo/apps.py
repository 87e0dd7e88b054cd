from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "bawaba.geo"
    label = "geo"
