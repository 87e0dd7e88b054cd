"""Small things the audit met: the statements command on a month not over, and amounts in the API."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.management import call_command

from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.tests.factories import accepted_line

pytestmark = pytest.mark.django_db
TWO_DECIMALS = re.compile(r"^-?\d+\.\d{2}$")


def test_fibre_statements_for_a_month_not_over_is_a_domain_error(world):
    # The `bawaba` command prints a domain error in one line (bawaba/demo/tests/test_cli.py runs the process).
    from bawaba.cli import domain_errors, one_line

    accepted_line(world, "GC-01", 10, dt.datetime(2026, 10, 5, 12, tzinfo=dt.UTC))
    with time_machine.travel(dt.datetime(2026, 10, 15, 12, tzinfo=dt.UTC), tick=False), \
            pytest.raises(domain_errors()) as caught:
        call_command("fibre_statements", "2026-10")
    message = one_line(caught.value)
    assert message in ("A statement cannot cover days that have not ended yet.",  # the default language's
                       "Une situation ne peut pas couvrir des jours qui ne sont pas encore terminés.")


def _amounts(value, path=""):
    """(path, value) of every amount field in an API answer."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.endswith("Amount") or key in ("amount", "unitPrice", "lateInterest"):
                yield f"{path}.{key}", inner
            else:
                yield from _amounts(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _amounts(inner, f"{path}[{index}]")


def test_api_amounts_are_always_strings_with_two_decimals(world, as_user):
    accepted_line(world, "GC-01", 10, dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC))  # 12 000: round figures
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                            now=dt.datetime(2026, 4, 1, 12, tzinfo=dt.UTC))
    accepted_line(world, "CAB-01", 10, dt.datetime(2026, 4, 5, 12, tzinfo=dt.UTC))
    client = as_user(world.billing_admin)
    answers = [client.get(f"/fibre/api/v1/statement/{statement.number}").json(),
               client.get("/fibre/api/v1/statement").json(),
               as_user(world.worker).get("/fibre/api/v1/statement/running").json()]
    found = [pair for answer in answers for pair in _amounts(answer)]
    assert len(found) > 20
    wrong = [(path, value) for path, value in found
             if value is not None and not (isinstance(value, str) and TWO_DECIMALS.match(value))]
    assert wrong == []


MONEY_NAME = re.compile(r"(Amount|^amount|^unitPrice|^lateInterest|Price$|Penalty$|Bonus$)")


def _money_properties(schema: dict) -> list[tuple[str, str, dict]]:
    """(schema name, property, its schema) of every property whose name says it is money, in every answer."""
    found = []
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        for prop, spec in component.get("properties", {}).items():
            if MONEY_NAME.search(prop) and not prop.startswith("amountInWords"):
                found.append((name, prop, spec))
    return found


def test_every_money_field_of_the_fibre_api_is_declared_a_string():
    """All the API's money, present and future: a new amount given as a number in the schema fails here
    (`Money` in schemas.py serialises to a two-decimal string on SQLite and PostgreSQL alike)."""
    from bawaba.deployments.api import api

    schema = api.get_openapi_schema()
    money = _money_properties(schema)
    assert len(money) > 20

    def is_string(spec):
        options = spec.get("anyOf", [spec])
        return all(option.get("type") in ("string", "null") for option in options)

    # Inputs may take a JSON number too (PaymentIn documents it); outputs are strings.
    outputs = [(n, p, s) for n, p, s in money if not n.endswith("In")]
    assert [(n, p) for n, p, s in outputs if not is_string(s)] == []
