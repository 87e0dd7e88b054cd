"""Arabic as written in Algeria (see bawaba/core/formats/__init__.py).

Western digits, day first, 24-hour clock; the month names are the Maghreb ones (جانفي، فيفري…), given by the
project's Arabic catalogue (locale/ar), which overrides Django's own (يناير، فبراير…).
"""

from bawaba.core.formats.common import *  # noqa: F403

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
