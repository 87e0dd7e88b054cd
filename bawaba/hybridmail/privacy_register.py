"""This module's entries in the register of processing (bawaba.privacy.register)."""

from django.utils.translation import gettext_lazy as _

from bawaba.privacy.register import LegalBasis, Processing

PROCESSING = (
    Processing(
        code="hybridmail.mailboxes", module="hybridmail", name=_("Electronic postal mailboxes and letters"),
        purpose=_("Open citizens' and companies' electronic mailboxes, deliver letters to them or on paper, and "
                  "keep the evidence of registered letters."),
        legal_basis=LegalBasis.CONTRACT,
        data_categories=(_("holder's name, phone and e-mail"), _("national ID number (kept only as a keyed "
                                                                 "hash)"),
                         _("letters' recipients and addresses"), _("letters' content (encrypted)")),
        data_subjects=(_("mailbox holders"), _("letters' recipients")),
        retention=_("While the mailbox is open; registered letters' evidence for the evidence retention "
                    "period."),
        retention_setting="EVIDENCE_RETENTION_DAYS",
        recipients=(_("the sender of each letter (delivery status)"), _("print centres, for letters on paper")),
        security=(_("content encrypted at rest"), _("identity numbers stored as keyed hashes"),
                  _("sealed, time-stamped evidence")),
    ),
)

# Staff pages that show a citizen's personal data, logged by bawaba.privacy (URL name -> what they show).
PERSONAL_DATA_VIEWS = {
    "hybridmail:assist-citizen": "hybridmail.identity",
    "hybridmail:assist-letter": "hybridmail.letter",
    "hybridmail:sender-letter-detail": "hybridmail.letter",
    "hybridmail:sender-letters-csv": "hybridmail.letter",
    "hybridmail:print-run-manifest": "hybridmail.print_run",
    "hybridmail:print-run-pdf": "hybridmail.print_run",
}
