from django.conf import settings
from django.utils import translation


def platform(request):
    return {
        "PLATFORM_NAME": "Bawaba",
        "LANGUAGE_BIDI": translation.get_language_bidi(),
        "DESK_POLL_SECONDS": settings.DESK_POLL_SECONDS,
    }
