"""The agent's phone state bar, drawn in the desk's header (one tag in desk/base.html): shows the state and
polls it, so that a call reaching the agent opens the caller's screen from any desk page."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


def _desk_staff(context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.organisation_id and user.is_desk_staff)


@register.simple_tag(takes_context=True)
def voice_agent_script(context):
    """The screen pop by push (voice-live.js), loaded in the page's head with the desk's other scripts."""
    if not _desk_staff(context):
        return ""
    return format_html('<script src="{}" defer></script>', static("voice/voice-live.js"))


@register.simple_tag(takes_context=True)
def voice_agent_bar(context):
    """A placeholder that fetches the bar as soon as the page has loaded, then polls it: the desk's pages pay
    no query for it (their query budgets are tested), the bar costs its own request."""
    if not _desk_staff(context):
        return ""
    return render_to_string("voice/_agent_bar_placeholder.html", {"VOICE_POLL_SECONDS": settings.VOICE_POLL_SECONDS},
                            context.get("request"))
