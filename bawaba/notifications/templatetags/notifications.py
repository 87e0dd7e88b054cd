from django import template

from .. import links
from ..models import Channel, OptOut
from ..selectors import messages_about

register = template.Library()


@register.inclusion_tag("notifications/_request_notifications.html")
def request_notifications(req):
    """The messages sent to the citizen about a service-desk request, with their state (desk request page)."""
    return {"notifications": messages_about("servicedesk.request", req.reference)}


@register.inclusion_tag("notifications/_citizen_opt_out.html")
def citizen_opt_out(req):
    """On the citizen's request page: how to stop the SMS and e-mail (reply STOP, or the link)."""
    addresses = [(channel, address) for channel, address in ((Channel.SMS, req.citizen_phone),
                                                              (Channel.EMAIL, req.citizen_email)) if address]
    stopped = {(channel, address) for channel, address in
               OptOut.objects.filter(address__in=[a for _c, a in addresses]).values_list("channel", "address")}
    return {"choices": [{"channel": channel, "address": address, "url": links.stop_path(channel, address)}
                        for channel, address in addresses if (channel, address) not in stopped],
            "stopped": bool(stopped)}
