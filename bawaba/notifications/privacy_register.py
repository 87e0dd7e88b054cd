"""This module's entries in the register of processing (bawaba.privacy.register)."""

from django.utils.translation import gettext_lazy as _

from bawaba.privacy.register import LegalBasis, Processing

PROCESSING = (
    Processing(
        code="notifications.outbox", module="notifications", name=_("SMS and e-mails to citizens"),
        purpose=_("Tell citizens about their requests, items, proofs and letters; keep the delivery history "
                  "and honour opt-outs."),
        legal_basis=LegalBasis.CONTRACT,
        data_categories=(_("phone number"), _("e-mail address"), _("text of the message"),
                         _("delivery reports")),
        data_subjects=(_("citizens and customers"),),
        retention=_("Message text blanked a set number of days after it was queued; recipient, state and "
                    "dates kept for the delivery statistics."),
        retention_setting="PRIVACY_MESSAGE_BODY_DAYS",
        recipients=(_("the SMS gateway (Kannel) and the mobile operator's SMSC"), _("the e-mail server")),
        security=(_("sent only through the platform's outbox"), _("opt-out list checked before sending")),
    ),
)
