"""Names of the languages citizens write in, for pages: never a raw code ("ar", "arq-Latn") on a page."""

from django.utils.translation import gettext_lazy as _

LANGUAGE_NAMES = {
    "fr": _("French"),
    "ar": _("Arabic"),
    "en": _("English"),
    "arq": _("Darija (Arabic script)"),
    "arq-Latn": _("Darija (Latin letters)"),
}


def language_name(code: str) -> str:
    """"arq-Latn" -> "Darija (lettres latines)" in the active language; "" for no code.

    An unknown code falls back to its main language ("fr-DZ" -> French), then to the code itself.
    """
    if not code:
        return ""
    name = LANGUAGE_NAMES.get(code) or LANGUAGE_NAMES.get(code.split("-")[0].lower())
    return str(name) if name else code
