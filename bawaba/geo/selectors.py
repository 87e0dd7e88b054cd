from .models import Commune, Region


def regions(country: str = "DZ"):
    return Region.objects.filter(country=country).order_by("code")


def communes_of(region_id: int):
    return Commune.objects.filter(region_id=region_id).order_by("name_fr")
