"""`bawaba fibre_demo [--orders N] [--seed N] [--now ISO]`: only the fibre part of `bawaba demo load`."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from bawaba.demo.fibre import load_fibre_demo
from bawaba.demo.management.commands.demo import Command as Demo
from bawaba.demo.management.commands.demo import _moment, positive


class Command(BaseCommand):
    help = "Load only the fibre demo (programme, contractors, months of work, statements, payments)."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=positive, default=36,
                            help="Work orders per contractor over the months of history (default 36).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed: same seed, same data (default 42).")
        parser.add_argument("--now", type=_moment, default=None, help="Simulate up to this ISO time instead of now.")

    def handle(self, *args, orders, seed, now, **options):
        started = time.monotonic()
        summary = load_fibre_demo(now=now or timezone.now(), seed=seed, orders=orders)
        demo = Demo(stdout=self.stdout, stderr=self.stderr)
        demo.print_fibre(summary, started)
