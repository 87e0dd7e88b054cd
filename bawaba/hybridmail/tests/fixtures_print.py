"""Fixtures of the print part of hybrid mail (imported by conftest.py)."""

import pytest

from bawaba.postal.tests import conftest as _postal

postman = _postal.postman  # the Alger delivery office's postman (postal's own fixture, shared)

PRINT_PASSWORD = "correct horse 42"


@pytest.fixture
def print_setup(poste, network, products, mail_products, alger_centre):
    """The registered mail product numbered with the post's registered letters (S10 "RR…" from a range open at
    the Alger counter, which the Alger print centre hands its letters to)."""
    from bawaba.postal.numbering import do_create_range

    do_create_range(products["registered"], first=20_000_000, last=20_009_999)
    registered = mail_products["registered"]
    registered.postal_product = products["registered"]
    registered.save(update_fields=["postal_product"])
    alger_centre.office = network["counter"]
    alger_centre.save(update_fields=["office"])
    return alger_centre


@pytest.fixture
def oran_centre(poste):
    from bawaba.geo.models import Region
    from bawaba.hybridmail.models import PrintCentre

    centre = PrintCentre.objects.create(operator=poste, code="oran", name_fr="Centre d'impression d'Oran")
    centre.regions.add(Region.objects.get(country="DZ", code="31"))
    return centre


def _print_user(org, username, roles, centre=None):
    from bawaba.hybridmail.models import PrintCentreStaff
    from bawaba.orgs.services import do_add_staff

    user = do_add_staff(org, {"username": username, "roles": roles, "password": PRINT_PASSWORD})
    if centre is not None:
        PrintCentreStaff.objects.create(user=user, centre=centre)
    return user


@pytest.fixture
def printer(poste, print_setup):
    return _print_user(poste, "alger.print", ["hybridmail.print"], print_setup)


@pytest.fixture
def oran_printer(poste, oran_centre):
    return _print_user(poste, "oran.print", ["hybridmail.print"], oran_centre)


@pytest.fixture
def mail_supervisor(poste):
    return _print_user(poste, "poste.mail-supervisor", ["hybridmail.supervisor"])


@pytest.fixture
def paper_letters(make_letter, print_setup):
    """Three letters for Alger sent to paper (no mailbox): one ordinary of 1 page, one registered of 3 pages,
    one paper-only of 2 pages."""
    from bawaba.hybridmail import dispatch
    from bawaba.hybridmail.tests.conftest import letter_pdf

    made = []
    for product, pages in (("ordinary", 1), ("registered", 3), ("paper", 2)):
        letter = make_letter(product, nin="", pdf=letter_pdf(pages=pages))
        letter.pages = pages
        letter.save(update_fields=["pages"])
        dispatch.dispatch(letter)
        made.append(letter)
    return made
