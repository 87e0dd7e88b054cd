"""The module registry: modules declare themselves in their apps.py; the shell reads them for landing and menus."""

import ast
from pathlib import Path

import pytest
from django.test import modify_settings
from django.urls import reverse

from bawaba.core import modules
from bawaba.core.modules import MenuEntry, Module, ModuleRole

CORE = Path(modules.__file__).parent


def _entry_ids(role_codes, **kwargs):
    return {module.code: [entry.html_id for entry in module.entries]
            for module in modules.navigation(role_codes, **kwargs)}


def test_the_installed_apps_declare_the_desk_fibre_and_administration_modules():
    assert [module.code for module in modules.modules()] == [
        "desk", "voice", "fibre", "postal", "hybridmail", "lifeproof", "platform"]
    assert set(modules.roles()) == {
        "desk.agent", "desk.supervisor", "fibre.technician", "fibre.contractor_manager", "fibre.inspector",
        "fibre.billing", "fibre.viewer", "postal.clerk", "postal.postman", "postal.sorter", "postal.supervisor",
        "lifeproof.reviewer", "lifeproof.manager", "lifeproof.counter",
        "hybridmail.sender", "hybridmail.print", "hybridmail.supervisor", "hybridmail.office_manager",
        "voice.supervisor",
        "org_admin", "platform_admin"}


def test_every_role_has_a_home_page_that_exists():
    for role in modules.roles().values():
        assert reverse(role.home).startswith("/"), role.code


@pytest.mark.parametrize(("roles", "home"), [
    (["desk.agent"], "/desk/"),
    (["desk.supervisor"], "/desk/dashboard/"),
    (["desk.agent", "desk.supervisor"], "/desk/dashboard/"),
    (["fibre.technician"], "/fibre/orders/"),
    (["fibre.contractor_manager", "org_admin"], "/fibre/orders/"),
    (["fibre.inspector"], "/fibre/inspections/"),
    (["fibre.billing"], "/fibre/statements/"),
    (["fibre.viewer"], "/fibre/dashboard/"),
    (["org_admin"], "/admin/accounts/user/"),
    (["org_admin", "desk.supervisor", "fibre.billing"], "/desk/dashboard/"),
    (["platform_admin", "desk.agent"], "/admin/"),
])
def test_the_main_role_decides_the_home(roles, home):
    assert modules.home_url(roles) == home


def test_no_declared_role_means_no_home():
    assert modules.home_url([]) is None
    assert modules.home_url(["retired.role"]) is None
    assert modules.main_role(["retired.role"]) is None


def test_a_technician_sees_only_the_work_orders_and_rejections():
    assert _entry_ids(["fibre.technician"]) == {"fibre": ["nav-orders", "nav-rejections"]}


def test_an_agent_sees_the_desk_only_and_a_supervisor_also_the_dashboard():
    assert _entry_ids(["desk.agent"]) == {"desk": ["nav-queue", "nav-call", "nav-articles"]}
    assert _entry_ids(["desk.supervisor"])["desk"] == [
        "nav-queue", "nav-call", "nav-dashboard", "nav-outbox", "nav-articles"]


def test_an_operator_admin_sees_each_of_their_modules_once():
    ids = _entry_ids(["org_admin", "desk.supervisor", "fibre.billing", "fibre.inspector"])
    assert list(ids) == ["desk", "fibre", "platform"]
    assert ids["fibre"] == ["nav-inspections", "nav-import", "nav-statements", "nav-fibre-dashboard",
                            "nav-scorecards", "nav-payments"]
    assert ids["platform"] == ["nav-staff", "nav-admin",  # and the personal-data pages (bawaba.privacy)
                               "nav-privacy-register", "nav-privacy-subjects", "nav-privacy-log"]


def test_the_current_entry_is_marked_by_url_name_or_by_the_pages_nav_key():
    by_name = modules.navigation(["desk.supervisor"], view_name="desk:dashboard")[0]
    assert [entry.html_id for entry in by_name.entries if entry.current] == ["nav-dashboard"]
    by_key = modules.navigation(["desk.agent"], view_name="desk:request", nav="queue")[0]
    assert [entry.html_id for entry in by_key.entries if entry.current] == ["nav-queue"]
    # The fibre dashboard's "dashboard" key does not mark the desk's dashboard.
    fibre_page = modules.navigation(["desk.supervisor", "fibre.viewer"], view_name="deployments:home",
                                    nav="dashboard")
    assert [e.html_id for module in fibre_page for e in module.entries if e.current] == ["nav-fibre-dashboard"]


def test_a_new_module_plugs_in_by_declaring_itself():
    with modify_settings(INSTALLED_APPS={"append": "bawaba.core.tests.shellapp"}):
        codes = [module.code for module in modules.modules()]
        assert codes == ["desk", "voice", "fibre", "postal", "hybridmail", "library", "lifeproof", "platform"]
        assert modules.home_url(["library.clerk"]) == reverse("healthz")
        assert modules.home_url(["library.clerk", "desk.agent"]) == "/desk/"  # the agent role ranks higher
        # An entry whose URL is not mounted is left out rather than breaking every page.
        assert _entry_ids(["library.clerk"]) == {"library": ["nav-loans"]}
    assert "library" not in [module.code for module in modules.modules()]


def test_a_menu_entry_must_name_roles_of_its_own_module():
    with pytest.raises(ValueError, match="unknown roles"):
        Module(code="x", name="X", roles=(ModuleRole("x.a", "A", home="healthz"),),
               entries=(MenuEntry("healthz", "H", ("desk.agent",)),))


def test_the_shell_in_core_imports_no_other_bawaba_app():
    for path in (CORE / "modules.py", CORE / "views.py", CORE / "templatetags" / "shell.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                assert not name.startswith("bawaba.") or name.startswith("bawaba.core"), (path, name)
