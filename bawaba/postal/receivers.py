"""Who listens when an item's timeline grows (bawaba.postal.tracking.events_recorded).

Each listener lives in the module of its concern and is connected by importing it here.
"""

from bawaba.postal import citizen_channels, notices, webhooks  # noqa: F401 - subscribers, SMS/USSD, recipients
