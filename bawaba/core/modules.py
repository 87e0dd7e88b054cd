"""The module registry: how each app that people use plugs into the shell (navigation and landing page).

An app declares its module in its own `apps.py`, as the `shell_module` attribute of its AppConfig:

    class DeskConfig(AppConfig):
        name = "bawaba.desk"
        shell_module = Module(
            code="desk", name=_("Service centre"),
            roles=(ModuleRole("desk.agent", _("Agent"), home="desk:home", priority=60), ...),
            entries=(MenuEntry("desk:home", _("Queue"), roles=("desk.agent", "desk.supervisor"), key="queue"),),
        )

The registry finds these declarations through Django's app registry, so core imports no other app, and a
new module plugs in by declaring itself only. A person's roles are role codes (`desk.agent`,
`fibre.technician`, `org_admin`…, granted in bawaba.accounts); their main role is the one with the highest
priority, and its home is where they land after signing in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.apps import apps
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class ModuleRole:
    """A role of one module. `home` is a URL name; the role with the highest `priority` is a person's main role."""

    code: str
    name: object  # a lazily translated string
    home: str
    priority: int = 0
    description: object = ""


@dataclass(frozen=True)
class MenuEntry:
    """A link in the navigation, shown to people holding at least one of `roles`. `key` matches the `nav`
    value a page puts in its context (to mark the current entry); `id` is the link's HTML id."""

    url_name: str
    label: object
    roles: tuple[str, ...]
    key: str = ""
    id: str = ""
    accesskey: str = ""

    @property
    def html_id(self) -> str:
        return self.id or f"nav-{self.key or self.url_name.split(':')[-1]}"


@dataclass(frozen=True)
class Module:
    code: str
    name: object
    roles: tuple[ModuleRole, ...] = ()
    entries: tuple[MenuEntry, ...] = ()
    order: int = 100  # position in the navigation, smallest first

    def __post_init__(self):
        known = {role.code for role in self.roles}
        for entry in self.entries:
            unknown = set(entry.roles) - known
            if unknown:
                raise ValueError(f"Menu entry {entry.url_name} of module {self.code} names unknown roles {unknown}")


@dataclass(frozen=True)
class NavEntry:
    label: object
    url: str
    html_id: str
    current: bool
    accesskey: str = ""


@dataclass(frozen=True)
class NavModule:
    code: str
    name: object
    entries: list[NavEntry] = field(default_factory=list)


@lru_cache(maxsize=1)
def modules() -> tuple[Module, ...]:
    """Every module declared by an installed app, in navigation order."""
    found = [config.shell_module for config in apps.get_app_configs() if getattr(config, "shell_module", None)]
    codes = [module.code for module in found]
    if len(codes) != len(set(codes)):
        raise ValueError(f"Two apps declare the same module code: {codes}")
    roles = [role.code for module in found for role in module.roles]
    if len(roles) != len(set(roles)):
        raise ValueError(f"Two modules declare the same role code: {roles}")
    return tuple(sorted(found, key=lambda module: (module.order, module.code)))


@receiver(setting_changed)
def _forget_modules(setting, **kwargs):
    if setting == "INSTALLED_APPS":  # tests that install an app
        modules.cache_clear()


def roles() -> dict[str, ModuleRole]:
    """Every declared role by code."""
    return {role.code: role for module in modules() for role in module.roles}


def module_of(role_code: str) -> Module | None:
    for module in modules():
        if any(role.code == role_code for role in module.roles):
            return module
    return None


def role_choices() -> list[tuple[str, str]]:
    """(code, "Module · Role") for forms, in navigation order."""
    return [(role.code, f"{module.name} · {role.name}") for module in modules() for role in module.roles]


def main_role(role_codes) -> ModuleRole | None:
    """The person's main role: the declared role they hold with the highest priority."""
    declared = roles()
    held = [declared[code] for code in role_codes if code in declared]
    return max(held, key=lambda role: (role.priority, role.code), default=None)


def home_url(role_codes) -> str | None:
    """Where a person with these roles lands after signing in (None without any declared role)."""
    role = main_role(role_codes)
    return reverse(role.home) if role else None


def navigation(role_codes, *, view_name: str = "", nav: str = "") -> list[NavModule]:
    """The modules and menu entries that these roles allow, each entry marked current when it is the page
    being shown (same URL name, or the same `nav` key within the same URL namespace)."""
    held = set(role_codes)
    namespace = view_name.rpartition(":")[0]
    result = []
    for module in modules():
        entries = []
        for entry in module.entries:
            if not held.intersection(entry.roles):
                continue
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:  # an app whose URLs are not mounted in this project
                continue
            current = entry.url_name == view_name or bool(
                nav and entry.key == nav and entry.url_name.rpartition(":")[0] == namespace)
            entries.append(NavEntry(entry.label, url, entry.html_id, current, entry.accesskey))
        if entries:
            result.append(NavModule(module.code, module.name, entries))
    return result
