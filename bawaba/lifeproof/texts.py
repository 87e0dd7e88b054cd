"""The module's SMS and e-mail texts (sent only through bawaba.notifications.services.notify)."""

from django.utils.translation import gettext as _

from bawaba.notifications.texts import Template, register

register("lifeproof.invitation", Template(
    sms=lambda c: _("Proof of life due by %(due)s. Do it from your phone: %(link)s") % c,
    subject=lambda c: _("Your proof of life is due by %(due)s") % c,
    lead=lambda c: _("Your pension fund asks for your yearly proof of life by %(due)s. Open this link on your "
                     "phone and follow the steps:") % c,
))
register("lifeproof.reminder", Template(
    sms=lambda c: _("Reminder: proof of life due by %(due)s: %(link)s") % c,
    subject=lambda c: _("Reminder: your proof of life is due by %(due)s") % c,
    lead=lambda c: _("We have not yet received your proof of life, due by %(due)s:") % c,
))
register("lifeproof.accepted", Template(
    sms=lambda c: _("Proof of life received. Certificate %(certificate)s: %(link)s") % c,
    subject=lambda c: _("Your proof of life is accepted") % c,
    lead=lambda c: _("Your proof of life is accepted. Your certificate %(certificate)s:") % c,
))
