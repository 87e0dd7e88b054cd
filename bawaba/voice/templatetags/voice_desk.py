"""The agent's phone state bar, drawn in the desk's header (one tag in desk/base.html): shows the state and
polls it, so that a call reaching the agent opens the caller's screen from any desk page."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def voice_agent_bar(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.organisation_id or not user.is_desk_staff:
        return ""
    from bawaba.voice.services import agent_state_of
    from bawaba.voice.views import _bar_context

    agent = agent_state_of(user)
    return render_to_string("voice/_agent_bar.html", _bar_context(request, agent), request)
