"""Input parsing for the desk. Business validation (phone numbers, lengths, transitions, who may do
what) stays in bawaba.servicedesk.services; these forms only turn POST/GET data into typed values."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bawaba.core.parsing import positive_int
from bawaba.geo.models import Region
from bawaba.orgs.models import Organisation, Priority, Queue, Service
from bawaba.servicedesk.models import TRANSITIONS, Channel, Status

from .stats import PERIODS

CALL_CHANNELS = [Channel.PHONE, Channel.COUNTER, Channel.EMAIL, Channel.SMS, Channel.USSD]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (`<input type=file multiple>`): cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def grouped_services(services) -> list:
    """[(organisation name, [(pk, service name), ...]), ...] for a <select> with <optgroup>s."""
    groups: dict[str, list] = {}
    for service in services:
        groups.setdefault(service.organisation.name, []).append((str(service.pk), service.name))
    return list(groups.items())


def active_services():
    return Service.objects.filter(is_active=True).select_related("organisation").order_by(
        "organisation__slug", "code"
    )


class ServiceChoiceMixin:
    """A `service` ChoiceField over active services, grouped by organisation, cleaned to a Service."""

    def setup_services(self, services, *, blank=None, exclude_pk=None):
        services = [s for s in services if s.pk != exclude_pk]
        self._services = {str(s.pk): s for s in services}
        choices = grouped_services(services)
        self.fields["service"].choices = ([("", blank)] if blank else []) + choices

    def clean_service(self):
        value = self.cleaned_data.get("service")
        return self._services.get(value) if value else None


class QueueFilterForm(forms.Form):
    queue = forms.TypedChoiceField(label=_("Queue"), required=False, coerce=int, empty_value=None)
    mine = forms.BooleanField(label=_("Assigned to me only"), required=False)

    def __init__(self, *args, user, queue_ids=None, **kwargs):
        """`queue_ids`: the queues the user may filter on, when already known (the poll reads them with the
        queues' versions) and no labels are needed; otherwise they are read, with their names, only if a
        choice has to be shown or checked (a poll without a filter costs no query here)."""
        super().__init__(*args, **kwargs)
        if queue_ids is not None:
            self.fields["queue"].choices = [("", "")] + [(pk, str(pk)) for pk in sorted(queue_ids)]
        else:
            self.fields["queue"].choices = lambda: [("", _("All my queues"))] + [
                (q.pk, f"{q.organisation.name} · {q.name}" if user.is_platform_admin else q.name)
                for q in queues_of(user)
            ]


def queues_of(user):
    """Queues an agent works in; a supervisor's organisation's queues; every queue for a platform admin."""
    qs = Queue.objects.select_related("organisation").order_by("organisation__slug", "slug")
    if user.is_platform_admin:
        return qs
    if user.is_supervisor:
        return qs.filter(organisation_id=user.organisation_id)
    return qs.filter(organisation_id=user.organisation_id, members=user)


class NewRequestForm(ServiceChoiceMixin, forms.Form):
    """The phone-call form: every field reachable with Tab in this order, Enter submits."""

    citizen_phone = forms.CharField(
        label=_("Caller's phone number"), max_length=32,
        widget=forms.TextInput(attrs={
            "id": "caller-phone", "autofocus": True, "inputmode": "tel", "autocomplete": "off",
            "accesskey": "p", "spellcheck": "false", "dir": "ltr",
        }),
    )
    citizen_name = forms.CharField(label=_("Caller's name"), max_length=160, required=False,
                                   widget=forms.TextInput(attrs={"dir": "auto"}))
    citizen_email = forms.EmailField(label=_("E-mail"), required=False,
                                     widget=forms.EmailInput(attrs={"dir": "ltr"}))
    service = forms.ChoiceField(label=_("Service"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[(c.value, c.label) for c in CALL_CHANNELS],
                                initial=Channel.PHONE)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    region = forms.ModelChoiceField(label=_("Wilaya"), required=False, queryset=Region.objects.none(),
                                    empty_label=_("— not given —"))
    subject = forms.CharField(label=_("Subject"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    text = forms.CharField(label=_("What the caller says"), widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}))
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As the agent types, the caller's earlier requests are fetched (htmx, debounced).
        self.fields["citizen_phone"].widget.attrs.update({
            "hx-get": reverse("desk:caller_lookup"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#caller-history",
            "hx-swap": "outerHTML",
            "hx-sync": "this:replace",
            "aria-describedby": "caller-history-status",
        })
        self.setup_services(active_services(), blank=_("Automatic routing"))
        self.fields["region"].queryset = Region.objects.order_by("country", "code")
        self.fields["region"].label_from_instance = lambda region: f"{region.code} — {region.name}"


class PrefixedIds:
    """Distinct element ids for the several action forms of one page (field names are unchanged)."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class AssignForm(PrefixedIds, forms.Form):
    id_prefix = "assign"
    """`me`, an empty value (unassign) or a staff member's id (supervisors)."""

    assignee = forms.CharField(required=False)

    def clean_assignee(self):
        value = (self.cleaned_data.get("assignee") or "").strip()
        if value in ("", "me") or positive_int(value):
            return value
        raise forms.ValidationError(_("Choose a member of staff."))


class ReplyForm(PrefixedIds, forms.Form):
    id_prefix = "reply"
    body = forms.CharField(label=_("Reply to the citizen"), widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}))
    wait_for_citizen = forms.BooleanField(label=_("Wait for the citizen (pauses the SLA)"), required=False)
    attachments = MultipleFileField(label=_("Attachments"))


class NoteForm(PrefixedIds, forms.Form):
    id_prefix = "note"
    body = forms.CharField(label=_("Internal note (staff only)"),
                           widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))
    attachments = MultipleFileField(label=_("Attachments"))


class StatusForm(PrefixedIds, forms.Form):
    id_prefix = "status"
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False,
                             widget=forms.TextInput(attrs={"dir": "auto"}))

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        if current is not None and not self.is_bound:
            # Only the statuses the workflow allows from here are offered (`current`: the request, whose
            # rules also depend on whether the citizen was answered, or just its status).
            allowed = current.allowed_statuses() if hasattr(current, "allowed_statuses") else TRANSITIONS.get(
                current, ())
            self.fields["status"].choices = [(s, Status(s).label) for s in allowed]


class PriorityForm(PrefixedIds, forms.Form):
    id_prefix = "priority"
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False,
                             widget=forms.TextInput(attrs={"dir": "auto"}))


class TransferForm(PrefixedIds, ServiceChoiceMixin, forms.Form):
    id_prefix = "transfer"
    service = forms.ChoiceField(label=_("Transfer to"))
    reason = forms.CharField(label=_("Reason"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))

    def __init__(self, *args, services, current_service_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_services(services, blank=_("— choose a service —"), exclude_pk=current_service_id)


class MergeForm(PrefixedIds, forms.Form):
    id_prefix = "merge"
    into = forms.CharField(label=_("Merge this request into (reference)"), max_length=20,
                           widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}))


class DashboardForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"), coerce=int, required=False, empty_value=PERIODS[0],
        choices=[(7, _("Last 7 days")), (30, _("Last 30 days"))],
    )
    organisation = forms.ModelChoiceField(label=_("Organisation"), required=False,
                                          queryset=Organisation.objects.none(),
                                          empty_label=_("All organisations"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_platform_admin:
            self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True)
        else:
            del self.fields["organisation"]
