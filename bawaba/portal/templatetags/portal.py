from django import template
from django.utils import translation

register = template.Library()


@register.filter
def localised(obj, field: str) -> str:
    """`service|localised:"description"`: the active language's `description_xx`, French otherwise."""
    lang = (translation.get_language() or "fr")[:2]
    return getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_fr", "")
