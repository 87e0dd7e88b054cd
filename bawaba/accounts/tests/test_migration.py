"""Migration accounts.0003 turns each former single role into the role grants it stands for, by the kind of the
person's organisation, and leaves staff status (the web admin) to admins only."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0002_initial")]
AFTER = [("accounts", "0003_role_grants")]


@pytest.mark.django_db(transaction=True)
def test_former_roles_become_grants_and_only_admins_stay_staff():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in ("accounts",)]
    old = executor.loader.project_state(BEFORE + [("orgs", n) for a, n in others if a == "orgs"]).apps
    Organisation, User = old.get_model("orgs", "Organisation"), old.get_model("accounts", "User")
    operator = Organisation.objects.create(slug="op", kind="operator", name_fr="Opérateur")
    contractor = Organisation.objects.create(slug="co", kind="contractor", name_fr="Entreprise")
    centre = Organisation.objects.create(slug="ce", kind="platform", name_fr="Centre")
    people = {
        "op.agent": (operator, "agent", False), "op.sup": (operator, "supervisor", False),
        "op.admin": (operator, "org_admin", True), "co.member": (contractor, "agent", True),
        "co.admin": (contractor, "org_admin", True), "ce.sup": (centre, "supervisor", False),
        "root": (centre, "platform_admin", True),
    }
    for username, (org, role, staff) in people.items():
        User.objects.create(username=username, organisation=org, role=role, is_staff=staff)

    executor = MigrationExecutor(connection)
    # Every app forward again, not only accounts: migrating back unapplied the apps that depend on accounts'
    # later migrations (telephony...), which the tests after this one need.
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(AFTER).apps
    User = new.get_model("accounts", "User")
    grants = {user.username: ({g.role for g in user.grants.all()}, user.is_staff)
              for user in User.objects.prefetch_related("grants")}
    assert grants == {
        "op.agent": ({"desk.agent"}, False),
        "op.sup": ({"desk.supervisor", "fibre.inspector", "fibre.viewer"}, False),
        "op.admin": ({"org_admin", "desk.supervisor", "fibre.inspector", "fibre.billing", "fibre.viewer"}, True),
        "co.member": ({"fibre.technician"}, False),  # a contractor's member no longer reaches the admin
        "co.admin": ({"fibre.contractor_manager", "org_admin"}, True),
        "ce.sup": ({"desk.supervisor"}, False),
        "root": ({"platform_admin"}, True),
    }
