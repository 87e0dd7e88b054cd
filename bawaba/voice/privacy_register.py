"""This module's entries in the register of processing (bawaba.privacy.register)."""

from django.utils.translation import gettext_lazy as _

from bawaba.privacy.register import LegalBasis, Processing

PROCESSING = (
    Processing(
        code="voice.calls", module="voice", name=_("Calls to the service centre"),
        purpose=_("Answer citizens' calls, call them back, keep their voicemails as requests and measure the "
                  "service level."),
        legal_basis=LegalBasis.PUBLIC_INTEREST,
        data_categories=(_("caller's phone number"), _("menu choices"), _("voicemail recordings"),
                         _("times of the call and the agent who answered")),
        data_subjects=(_("citizens who call the centre"), _("agents")),
        retention=_("With the request the call concerns; a call without a request is kept for the service-level "
                    "statistics."),
        retention_setting="PRIVACY_REQUEST_YEARS",
        recipients=(_("the telephony provider (the call itself)"), _("staff of the competent organisation")),
        security=(_("callbacks authenticated by a secret URL and the provider's addresses"),
                  _("access by organisation and role")),
    ),
)
