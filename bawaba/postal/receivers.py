"""Who listens when an item's timeline grows (bawaba.postal.tracking.events_recorded).

Each listener lives in the module of its concern and is connected by importing it here.
"""
from bawaba.postal import desk_links  # noqa: E402,F401 - items on the desk's request page; failed deliveries told
