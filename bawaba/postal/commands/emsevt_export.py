"""``bawaba postal emsevt-export``: a post's events of international items, EMSEVT-style (bawaba.postal.emsevt)."""

import datetime as dt

NAME = "emsevt-export"
HELP = ("Export the events of international items recorded since a date, in the EMSEVT-style flat file "
        "(docs/postal-api.md), to stdout or a file.")


def add_arguments(parser):
    parser.add_argument("--organisation", required=True, help="slug of the post (e.g. algerie-poste)")
    parser.add_argument("--since", required=True, help="ISO 8601 date or date and time (recorded from)")
    parser.add_argument("--until", help="ISO 8601 date or date and time (recorded before)")
    parser.add_argument("--country", action="append", default=[], help="only items to or from this country")
    parser.add_argument("--output", help="file to write (default: stdout)")


def _when(text):
    from django.utils import timezone

    value = dt.datetime.fromisoformat(text)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def run(options, stdin, stdout) -> int:
    from bawaba.orgs.models import Organisation
    from bawaba.postal import emsevt

    organisation = Organisation.objects.filter(slug=options["organisation"]).first()
    if organisation is None:
        stdout.write(f"unknown organisation {options['organisation']!r}\n")
        return 2
    try:
        since = _when(options["since"])
        until = _when(options["until"]) if options.get("until") else None
    except ValueError as exc:
        stdout.write(f"bad date: {exc}\n")
        return 2
    lines = emsevt.export_lines(organisation, since=since, until=until, countries=options["country"])
    count = -2
    if options.get("output"):
        with open(options["output"], "w", encoding="utf-8", newline="\n") as out:
            for line in lines:
                out.write(line + "\n")
                count += 1
        stdout.write(f"{max(count, 0)} events written to {options['output']}\n")
    else:
        for line in lines:
            stdout.write(line + "\n")
    return 0
