"""English as the platform writes it for Algerian users (see bawaba/core/formats/__init__.py): day first."""

from bawaba.core.formats.common import *  # noqa: F403

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
