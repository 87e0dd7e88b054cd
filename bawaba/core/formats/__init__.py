"""Algerian display formats for the three languages (settings.FORMAT_MODULE_PATH points here).

Every language writes dates day first (06/12/2026, 6 décembre 2026), times on 24 hours, and numbers with
a no-break space between groups of three digits and a comma before the decimals (1 250,00), as Algerian
administrations do in French and in Arabic. Django's own `ar` formats are the Mashriq's (12-hour clock,
month first in the default date-time), its `en` formats the United States'. Only what differs from
Django's defaults needs to be here, but each file states every display format so that a page reads the
same whatever Django version is installed.
"""
