"""What the hybrid-mail benchmarks share: a timestamped log line, a fresh loopback database, and the seed every one
of them starts from (Algérie Poste's stand-in, a ministry that sends, an ordinary paper product, a print centre
covering Algiers). Imported after the benchmark has put the repository on sys.path."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def prepare_database(url: str, keep: bool) -> None:
    """(Re)create a PostgreSQL database on loopback (kept with `keep`), then migrate; a SQLite URL is only migrated."""
    if url.startswith("postgres"):
        import psycopg

        parsed = urlparse(url)
        assert parsed.hostname in {"127.0.0.1", "localhost", "::1"}, "loopback databases only"
        name = parsed.path.lstrip("/")
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and not keep:
                connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = None
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')
    log("migrating")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, env=os.environ)


def seed_sender() -> SimpleNamespace:
    """A new operator and sender each run (a random suffix: --keep reuses the database): poste, ministry, ordinary
    (paper product), commune (of Algiers, with a postcode) and centre (covering Algiers)."""
    from bawaba.geo.models import Region
    from bawaba.hybridmail.models import MailProduct, PrintCentre, SenderProfile
    from bawaba.hybridmail.models import Path as MailPath
    from bawaba.orgs.services import do_onboard_organisation

    suffix = random.randrange(10**6)
    poste = do_onboard_organisation({"slug": f"bench-poste-{suffix}", "kind": "operator",
                                     "name_fr": "Poste (banc d'essai)",
                                     "services": [{"slug": "mail", "name_fr": "Courrier"}]})
    ministry = do_onboard_organisation({"slug": f"bench-ministere-{suffix}", "kind": "administration",
                                        "name_fr": "Ministère (banc d'essai)",
                                        "services": [{"slug": "courrier", "name_fr": "Courrier"}]})
    ordinary = MailProduct.objects.create(operator=poste, code="lettre", name_fr="Lettre", path=MailPath.PAPER)
    SenderProfile.objects.create(organisation=ministry, operator=poste, return_address="Ministère\n16000 Alger")
    alger = Region.objects.get(country="DZ", code="16")
    commune = alger.communes.exclude(postal_code="").order_by("postal_code").first()
    centre = PrintCentre.objects.create(operator=poste, code=f"b{suffix}", name_fr="Centre (banc d'essai)")
    centre.regions.add(alger)
    return SimpleNamespace(poste=poste, ministry=ministry, ordinary=ordinary, commune=commune, centre=centre)
