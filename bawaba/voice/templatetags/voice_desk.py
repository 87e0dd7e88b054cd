"""The agent's phone state bar, drawn in the desk's header (one tag in desk/base.html): shows the state and
polls it, so that a call reaching the agent opens the caller's screen from any desk page."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def voice_agent_bar(context):
    """A placeholder that fetches the bar as soon as the page has loaded, then polls it: the desk's pages pay
    no query for it (their query budgets are tested), the bar costs its own request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.organisation_id or not user.is_desk_staff:
        return ""
    return render_to_string("voice/_agent_bar_placeholder.html", {"VOICE_POLL_SECONDS": settings.VOICE_POLL_SECONDS},
                            request)
