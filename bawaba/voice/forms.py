from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from bawaba.desk.forms import NewRequestForm
from bawaba.orgs.models import Service

from .models import AgentStateKind, PauseReason

CHOOSABLE_STATES = [(s.value, s.label) for s in (AgentStateKind.AVAILABLE, AgentStateKind.PAUSED,
                                                 AgentStateKind.OFFLINE)]


class AgentStateForm(forms.Form):
    state = forms.ChoiceField(label=_("My state"), choices=CHOOSABLE_STATES)
    reason = forms.ChoiceField(label=_("Reason for the pause"), required=False,
                               choices=[("", "—")] + [(r.value, r.label) for r in PauseReason
                                                      if r != PauseReason.MISSED])
    contact = forms.CharField(label=_("Calls ring at (phone or SIP address)"), max_length=120, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}))


class ScreenPopRequestForm(NewRequestForm):
    """The desk's new-request form, without the live caller lookup (the screen already shows the caller)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for attr in ("hx-get", "hx-trigger", "hx-target", "hx-swap", "hx-sync", "autofocus"):
            self.fields["citizen_phone"].widget.attrs.pop(attr, None)
        self.fields["subject"].widget.attrs["autofocus"] = True


class TransferForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Send the call to"), queryset=Service.objects.filter(is_active=True)
                                     .select_related("organisation").order_by("organisation__slug", "code"))
    reason = forms.CharField(label=_("Why"), max_length=300, required=False,
                             widget=forms.TextInput(attrs={"dir": "auto"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].label_from_instance = lambda s: f"{s.organisation.name} · {s.name}"


class StaffingForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    weeks = forms.IntegerField(label=_("Weeks of history"), min_value=1, max_value=12)
    target_level = forms.IntegerField(label=_("Service level target (%)"), min_value=1, max_value=99)
    target_seconds = forms.IntegerField(label=_("Answered within (seconds)"), min_value=1, max_value=600)
    shrinkage = forms.IntegerField(label=_("Shrinkage (%)"), min_value=0, max_value=90)
    handle_seconds = forms.IntegerField(label=_("Average handling time (seconds; blank: from history)"),
                                        min_value=10, max_value=7200, required=False)

    @staticmethod
    def defaults(organisation) -> dict:
        from zoneinfo import ZoneInfo

        from django.utils import timezone

        day = timezone.now().astimezone(ZoneInfo(organisation.timezone)).date() + dt.timedelta(days=1)
        return {"day": day, "weeks": 4, "target_level": 80, "target_seconds": 20, "shrinkage": 30,
                "handle_seconds": None}
