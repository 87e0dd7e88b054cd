"""A module that exists only in the tests: it plugs into the shell by declaring itself, nothing else."""

from django.apps import AppConfig

from bawaba.core.modules import MenuEntry, Module, ModuleRole


class ShellAppConfig(AppConfig):
    name = "bawaba.core.tests.shellapp"
    label = "shellapp"
    shell_module = Module(
        code="library", name="Library", order=35,
        roles=(ModuleRole("library.clerk", "Clerk", home="healthz", priority=55),),
        entries=(MenuEntry("healthz", "Loans", ("library.clerk",), key="loans", id="nav-loans"),
                 MenuEntry("library:missing", "Not mounted", ("library.clerk",))),
    )
