"""Evidence events, named after ETSI EN 319 522 (Electronic Registered Delivery Services).

Names and identifiers: EN 319 522-2 V1.1.1 (2018-09) clause 8 "Evidence" (the events) and EN 319 522-3
(the identifier of each event, http://uri.etsi.org/19522/Event/<name>). The standard has no event of its own
for paper: the print-and-post path is a relay to a non-ERDS system (RelayToNonERDS / ...Failure), and the
postman's delivery or non-delivery of the paper letter is the content's handover (ContentHandover /
ContentHandoverFailure) with `"channel": "paper"` in the payload (docs/evidence.md has the full mapping).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

EVENT_URI = "http://uri.etsi.org/19522/Event/"


class Event(models.TextChoices):
    SUBMISSION_ACCEPTANCE = "SubmissionAcceptance", _("Submission accepted")
    SUBMISSION_REJECTION = "SubmissionRejection", _("Submission refused")
    RELAY_ACCEPTANCE = "RelayAcceptance", _("Relay accepted")
    RELAY_REJECTION = "RelayRejection", _("Relay refused")
    RELAY_FAILURE = "RelayFailure", _("Relay failed")
    CONTENT_CONSIGNMENT = "ContentConsignment", _("Deposited in the mailbox")
    CONTENT_CONSIGNMENT_FAILURE = "ContentConsignmentFailure", _("Deposit in the mailbox failed")
    CONSIGNMENT_NOTIFICATION = "ConsignmentNotification", _("Notice sent to the recipient")
    CONSIGNMENT_NOTIFICATION_FAILURE = "ConsignmentNotificationFailure", _("Notice could not be sent")
    NOTIFICATION_DELIVERED = "NotificationDelivered", _("Notice delivered")
    NOTIFICATION_ACCESS_TRACKING = "NotificationAccessTracking", _("Notice read")
    NOTIFICATION_FOR_ACCEPTANCE = "NotificationForAcceptance", _("Asked to accept")
    NOTIFICATION_FOR_ACCEPTANCE_FAILURE = "NotificationForAcceptanceFailure", _("Request to accept failed")
    CONSIGNMENT_ACCEPTANCE = "ConsignmentAcceptance", _("Accepted by the recipient")
    CONSIGNMENT_REJECTION = "ConsignmentRejection", _("Refused by the recipient")
    ACCEPTANCE_REJECTION_EXPIRY = "AcceptanceRejectionExpiry", _("No answer before the deadline")
    CONTENT_HANDOVER = "ContentHandover", _("Handed over (delivered)")
    CONTENT_HANDOVER_FAILURE = "ContentHandoverFailure", _("Not handed over (not delivered)")
    CONTENT_ACCESS_TRACKING = "ContentAccessTracking", _("Opened by the recipient")
    RELAY_TO_NON_ERDS = "RelayToNonERDS", _("Relayed to the paper channel (printed, posted)")
    RELAY_TO_NON_ERDS_FAILURE = "RelayToNonERDSFailure", _("Relay to the paper channel failed")
    RECEIVED_FROM_NON_ERDS = "ReceivedFromNonERDS", _("Received from outside (paper, counter)")


def event_uri(name: str) -> str:
    return EVENT_URI + name
