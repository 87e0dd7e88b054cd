import sys

from django.core.management.base import BaseCommand

from bawaba.postal.commands import subcommands


class Command(BaseCommand):
    help = "Postal operations: S10 identifiers, the postal network, tracking events."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, module in subcommands().items():
            module.add_arguments(sub.add_parser(name, help=module.HELP))

    def handle(self, *args, subcommand, **options):
        status = subcommands()[subcommand].run(options, sys.stdin, self.stdout)
        if status:
            sys.exit(status)
