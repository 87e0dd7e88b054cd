"""A module that exists only in the tests: it plugs into the shell by declaring itself, nothing else."""

from django.apps import AppConfig

from bawaba.core.modules import MenuEntry, Module, ModuleRole


class ShellAppConfig(AppConfig):
    name = "bawaba.core.tests.shellapp"
    label = "shellapp"
    shell_module = Module(
        code="postal", name="Postal", order=30,
        roles=(ModuleRole("postal.clerk", "Clerk", home="healthz", priority=55),),
        entries=(MenuEntry("healthz", "Registered mail", ("postal.clerk",), key="mail", id="nav-mail"),
                 MenuEntry("postal:missing", "Not mounted", ("postal.clerk",))),
    )
