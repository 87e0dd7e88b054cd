from django import template

from ..selectors import messages_about

register = template.Library()


@register.inclusion_tag("notifications/_request_notifications.html")
def request_notifications(req):
    """The messages sent to the citizen about a service-desk request, with their state (desk request page)."""
    return {"notifications": messages_about("servicedesk.request", req.reference)}
