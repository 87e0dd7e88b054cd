"""``bawaba postal emsevt-import``: record a foreign post's EMSEVT-style file, whole or not at all."""

NAME = "emsevt-import"
HELP = ("Record the events of an EMSEVT-style flat file from a foreign post (docs/postal-api.md), whole or not "
        "at all; prints the faulty lines.")


def add_arguments(parser):
    parser.add_argument("--organisation", required=True, help="slug of the post receiving the events")
    parser.add_argument("file", help="the partner's file (UTF-8), or - for stdin")


def run(options, stdin, stdout) -> int:
    from bawaba.orgs.models import Organisation
    from bawaba.postal import emsevt
    from bawaba.postal.tracking import EventsRefused

    organisation = Organisation.objects.filter(slug=options["organisation"]).first()
    if organisation is None:
        stdout.write(f"unknown organisation {options['organisation']!r}\n")
        return 2
    try:
        if options["file"] == "-":
            result = emsevt.do_import(organisation, stdin)
        else:
            with open(options["file"], encoding="utf-8-sig") as source:
                result = emsevt.do_import(organisation, source)
    except EventsRefused as refused:
        stdout.write(f"nothing recorded: {len(refused.errors)} error(s)\n")
        for error in refused.errors:
            stdout.write(f"line {error.row}: {error.code}: {error.message}\n")
        return 1
    except (OSError, UnicodeDecodeError) as exc:
        stdout.write(f"cannot read the file: {exc}\n")
        return 2
    stdout.write(f"{len(result.created)} events recorded, {result.duplicates} already known, "
                 f"{result.flagged} flagged for review\n")
    return 0
