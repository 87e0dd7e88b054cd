"""The shell's navigation: `{% shell_nav %}` shows the modules and entries the signed-in person's roles allow
(bawaba.core.modules), `{% shell_account %}` who is signed in and the sign-out button."""

from django import template

from bawaba.core import modules

register = template.Library()


@register.inclusion_tag("core/shell_nav.html", takes_context=True)
def shell_nav(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"shell_modules": []}
    match = getattr(request, "resolver_match", None)
    found = modules.navigation(user.role_codes, view_name=match.view_name if match else "",
                               nav=context.get("nav") or "")
    return {"shell_modules": found, "show_module_names": len(found) > 1}


@register.inclusion_tag("core/shell_account.html", takes_context=True)
def shell_account(context):
    request = context.get("request")
    return {"user": getattr(request, "user", None), "csrf_token": context.get("csrf_token")}
