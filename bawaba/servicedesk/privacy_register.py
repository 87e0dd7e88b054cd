"""This module's entries in the register of processing (bawaba.privacy.register)."""

from django.utils.translation import gettext_lazy as _

from bawaba.privacy.register import LegalBasis, Processing

PROCESSING = (
    Processing(
        code="servicedesk.requests", module="servicedesk", name=_("Citizens' requests to the service centre"),
        purpose=_("Receive, route and answer citizens' requests and complaints (web, phone, SMS, USSD, e-mail, "
                  "counter) and measure the service levels."),
        legal_basis=LegalBasis.PUBLIC_INTEREST,
        data_categories=(_("name"), _("phone number"), _("e-mail address"), _("commune"),
                         _("free text of the request and messages"), _("attachments")),
        data_subjects=(_("citizens and customers who contact the centre"),),
        retention=_("Anonymised a set number of years after the request is closed (reference and statistics "
                    "kept)."),
        retention_setting="PRIVACY_REQUEST_YEARS",
        recipients=(_("staff of the organisation the request is routed or transferred to"),),
        security=(_("access by organisation and role"), _("audit trail of every change"),
                  _("log of staff access to request pages")),
    ),
)

# Staff pages that show a citizen's personal data, by URL name: the kind of record their URL names.
PERSONAL_DATA_VIEWS = {
    "desk:request": "servicedesk.request",
    "desk:attachment": "servicedesk.request",
}
