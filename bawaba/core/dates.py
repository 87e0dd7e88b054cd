"""Month names as Algeria writes them, for Django's date formatting.

Django formats dates with month names from its own catalogue; the project's catalogue (LOCALE_PATHS) is
read first, so the Arabic catalogue (locale/ar) gives the Maghreb names (جانفي، فيفري، مارس، أفريل، ماي، جوان،
جويلية، أوت، سبتمبر، أكتوبر، نوفمبر، ديسمبر) instead of Django's Mashriq/Egyptian ones (يناير، فبراير…).

The strings below are exactly the msgids of django/utils/dates.py; they are declared here so that
`makemessages` keeps them in the project's catalogues. Nothing imports these tables for formatting:
`{{ day|date }}` and `django.utils.dateformat` look the same msgids up.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MONTHS = (_("January"), _("February"), _("March"), _("April"), _("May"), _("June"), _("July"), _("August"),
          _("September"), _("October"), _("November"), _("December"))
MONTHS_3 = (_("jan"), _("feb"), _("mar"), _("apr"), _("may"), _("jun"), _("jul"), _("aug"), _("sep"), _("oct"),
            _("nov"), _("dec"))
MONTHS_AP = (pgettext_lazy("abbrev. month", "Jan."), pgettext_lazy("abbrev. month", "Feb."),
             pgettext_lazy("abbrev. month", "March"), pgettext_lazy("abbrev. month", "April"),
             pgettext_lazy("abbrev. month", "May"), pgettext_lazy("abbrev. month", "June"),
             pgettext_lazy("abbrev. month", "July"), pgettext_lazy("abbrev. month", "Aug."),
             pgettext_lazy("abbrev. month", "Sept."), pgettext_lazy("abbrev. month", "Oct."),
             pgettext_lazy("abbrev. month", "Nov."), pgettext_lazy("abbrev. month", "Dec."))
MONTHS_ALT = (pgettext_lazy("alt. month", "January"), pgettext_lazy("alt. month", "February"),
              pgettext_lazy("alt. month", "March"), pgettext_lazy("alt. month", "April"),
              pgettext_lazy("alt. month", "May"), pgettext_lazy("alt. month", "June"),
              pgettext_lazy("alt. month", "July"), pgettext_lazy("alt. month", "August"),
              pgettext_lazy("alt. month", "September"), pgettext_lazy("alt. month", "October"),
              pgettext_lazy("alt. month", "November"), pgettext_lazy("alt. month", "December"))
