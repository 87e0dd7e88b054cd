"""Who listens when an item's timeline grows (bawaba.postal.tracking.events_recorded).

Each listener lives in the module of its concern and is connected by importing it here.
"""

from bawaba.postal import citizen_channels, desk_links, notices, webhooks  # noqa: F401 - each connects itself
