"""This module's entries in the register of processing (bawaba.privacy.register)."""

from django.utils.translation import gettext_lazy as _

from bawaba.privacy.register import LegalBasis, Processing

PROCESSING = (
    Processing(
        code="postal.items", module="postal", name=_("Postal items and their tracking"),
        purpose=_("Accept, carry, track and deliver postal items; prove deposit, payment and delivery."),
        legal_basis=LegalBasis.CONTRACT,
        data_categories=(_("sender's and recipient's names, addresses and phones"), _("recipient's signature"),
                         _("delivery position"), _("payment method")),
        data_subjects=(_("senders"), _("recipients")),
        retention=_("Kept as proof of deposit, payment and delivery (accounting and postal liability); not "
                    "erased on request."),
        recipients=(_("the post's staff on the item's route"), _("foreign posts for international items "
                                                                 "(UPU EMSEVT)"),
                    _("partners subscribed to tracking webhooks")),
        transfers=_("International items: the destination post receives the recipient's name and address."),
        security=(_("access by office or region and role"), _("pick-up codes kept only as hashes")),
    ),
)

PERSONAL_DATA_VIEWS = {
    "postal:counter_label": "postal.item",
    "postal:counter_receipt": "postal.item",
    "postal:review_event": "postal.event",
}
