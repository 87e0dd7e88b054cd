"""``bawaba postal import-network FILE --post SLUG``: import offices from CSV or XLSX (all rows or none)."""

NAME = "import-network"
HELP = ("Import post offices, sorting centres, delivery offices and offices of exchange from a CSV or XLSX file; "
        "every row is checked first and nothing is stored if one is wrong.")


def add_arguments(parser):
    parser.add_argument("file", help="CSV (UTF-8 or Windows-1252; separated by ; , or tab) or XLSX (first sheet).")
    parser.add_argument("--post", required=True, help="Slug of the post (organisation), e.g. algerie-poste.")


def run(options, stdin, stdout) -> int:
    import sys
    from pathlib import Path

    from django.core.exceptions import ValidationError

    from bawaba.orgs.models import Organisation
    from bawaba.postal.network import import_offices

    err = sys.stderr
    organisation = Organisation.objects.filter(slug=options["post"]).first()
    if organisation is None:
        err.write(f"bawaba: error: no organisation “{options['post']}”\n")
        return 2
    path = Path(options["file"])
    if not path.is_file():
        err.write(f"bawaba: error: {path}: no such file\n")
        return 2
    try:
        with path.open("rb") as upload:
            result = import_offices(upload, organisation=organisation, filename=path.name)
    except ValidationError as exc:
        err.write(f"bawaba: error: {path}: {' '.join(exc.messages)}\n")
        return 1
    if result.errors:
        err.write(f"{len(result.errors)} error(s) in {path.name}: nothing was imported.\n")
        for error in result.errors:
            err.write(f"line {error.row}, {error.column}: {error.message}\n")
        return 1
    stdout.write(f"{result.rows} rows: {result.created} offices created, {result.updated} updated "
                 f"({organisation.slug}).\n")
    return 0
