"""Objects named in French, Arabic and English (``name_fr``, ``name_ar``, ``name_en`` fields of each model,
sized by the app): ``name`` is the one of the active language, falling back to French."""

from django.utils import translation


class LocalisedNameMixin:
    @property
    def name(self) -> str:
        lang = (translation.get_language() or "fr")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_fr
