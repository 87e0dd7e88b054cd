"""The counter page (postal:counter): a clerk accepts items for a queue of customers, with the keyboard only.

Enter prices the item (the page shows the price and what will be stored); Enter again confirms (the confirm button
is the form's first submit button and takes the focus). After acceptance the page offers the label and the receipt
and puts the focus back on the first field for the next customer. Every rule lives in bawaba.postal.counter; this
view parses, checks the role, calls it and renders. A clerk sees only their own office's counter; another post's
items answer 404.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bawaba.postal import counter, documents
from bawaba.postal.models import Item, PaymentMethod, Product
from bawaba.postal.permissions import is_postal_staff, items_visible_to

TOKEN_SECONDS = 3600


def _text(label, *, max_length=150, **attrs):
    attrs.setdefault("autocomplete", "off")
    return forms.CharField(label=label, required=False, max_length=max_length,
                           widget=forms.TextInput(attrs=attrs))


class AcceptanceForm(forms.Form):
    """The fields as typed; bawaba.postal.counter checks them all and names the wrong ones."""

    product = forms.ChoiceField(label=gettext_lazy("Product"), required=False)
    weight_g = _text(gettext_lazy("Weight (g)"), max_length=7, inputmode="numeric", accesskey="w")
    declared_value = _text(gettext_lazy("Declared value"), max_length=14, inputmode="decimal")
    payment_method = forms.ChoiceField(label=gettext_lazy("Payment"), required=False, choices=PaymentMethod.choices)
    sender_name = _text(gettext_lazy("Sender"), accesskey="s", dir="auto")
    sender_phone = _text(gettext_lazy("Sender's phone"), max_length=30, inputmode="tel", dir="ltr")
    sender_address = _text(gettext_lazy("Sender's address"), max_length=300, dir="auto")
    recipient_name = _text(gettext_lazy("Recipient"), accesskey="t", dir="auto")
    recipient_phone = _text(gettext_lazy("Recipient's phone"), max_length=30, inputmode="tel", dir="ltr")
    recipient_street = _text(gettext_lazy("Street and number"), max_length=200, dir="auto")
    recipient_postcode = _text(gettext_lazy("Postcode"), max_length=10, inputmode="numeric", dir="ltr",
                               accesskey="o")
    recipient_commune = forms.ChoiceField(label=gettext_lazy("Commune"), required=False)
    recipient_region = forms.ChoiceField(label=gettext_lazy("Department"), required=False)
    recipient_quartier = _text(gettext_lazy("Quartier"), max_length=120, dir="auto")
    recipient_po_box = _text(gettext_lazy("PO box (BP)"), max_length=20, dir="ltr")
    recipient_landmark = _text(gettext_lazy("Landmark"), max_length=200, dir="auto")
    destination_country = _text(gettext_lazy("Country (abroad only)"), max_length=2, dir="ltr")
    quoted_price = forms.CharField(required=False, widget=forms.HiddenInput)
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        from bawaba.geo.models import Commune, Region

        organisation = office.organisation
        self.country = organisation.country
        products = Product.objects.filter(organisation=organisation, is_active=True).order_by("code")
        self.fields["product"].choices = [(p.code, f"{p.name} ({p.indicator})") for p in products]
        self.fields["product"].widget.attrs.update(accesskey="p")
        if self.country == "DZ":
            communes = Commune.objects.filter(region__country="DZ").order_by("postal_code", "name_fr")
            self.fields["recipient_commune"].choices = [("", _("— from the postcode —"))] + [
                (str(c.pk), f"{c.postal_code} {c.name}") for c in communes]
            for name in ("recipient_region", "recipient_quartier", "recipient_po_box", "recipient_landmark"):
                del self.fields[name]
        else:
            regions = Region.objects.filter(country=self.country).order_by("name_fr")
            self.fields["recipient_region"].choices = [("", "—")] + [(str(r.pk), r.name) for r in regions]
            for name in ("recipient_postcode", "recipient_commune"):
                del self.fields[name]
        if not products.filter(international=True).exists():
            del self.fields["destination_country"]

    def data_for_counter(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in ("quoted_price", "token")}

    def add_refusal(self, refusal: counter.AcceptanceRefused) -> None:
        for name, messages in refusal.message_dict.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)


def _clerk_office(request):
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    office = counter.counter_office(request.user)
    if office is None:
        raise PermissionDenied(_("The counter is for clerks posted at an office."))
    return office, None


def _page(request, office, form, *, checked=None, done=None, status=200):
    if checked is None:  # the focus goes to the first wrong field, else to the first field (next customer)
        target = next((name for name in form.fields if name in form.errors), "product")
        form.fields[target].widget.attrs["autofocus"] = True
    return render(request, "postal/counter/counter.html", {
        "office": office, "form": form, "checked": checked, "done": done, "nav": "counter",
        "price_text": documents.money(checked.quote.total, checked.quote.currency) if checked else "",
        "base_text": documents.money(checked.quote.base, checked.quote.currency) if checked else "",
        "fee_text": documents.money(checked.quote.value_fee, checked.quote.currency) if checked else "",
        "done_price": documents.money(done.price, done.tariff.currency if done and done.tariff_id else "DZD")
        if done else "",
    }, status=status)


@require_http_methods(["GET", "POST"])
def counter_page(request):
    office, login = _clerk_office(request)
    if login:
        return login
    if request.method == "GET":
        done = None
        if request.GET.get("done", "").isdigit():
            done = items_visible_to(request.user).filter(pk=int(request.GET["done"]), accepted_office=office).first()
        form = AcceptanceForm(office=office, initial={"token": uuid.uuid4().hex, "payment_method": "cash"})
        return _page(request, office, form, done=done)
    form = AcceptanceForm(request.POST, office=office)
    if not form.is_valid():
        return _page(request, office, form, status=400)
    action = request.POST.get("action", "quote")
    try:
        checked = counter.check_acceptance(request.user, form.data_for_counter())
    except counter.AcceptanceRefused as refused:
        form.add_refusal(refused)
        return _page(request, office, form, status=400)
    quoted = form.cleaned_data.get("quoted_price") or ""
    if action != "confirm" or quoted != str(checked.quote.total):
        # First Enter, or something changed since the price was shown: show the (new) price to confirm.
        data = form.data.copy()
        data["quoted_price"] = str(checked.quote.total)
        if not data.get("token"):
            data["token"] = uuid.uuid4().hex
        form = AcceptanceForm(data, office=office)
        form.is_valid()
        return _page(request, office, form, checked=checked)
    token = (form.cleaned_data.get("token") or "")[:64]
    key = f"postal:counter:{request.user.pk}:{token}"
    if token and not cache.add(key, "pending", TOKEN_SECONDS):  # the same form sent twice (double Enter)
        previous = cache.get(key)
        if isinstance(previous, int):
            return redirect(f"{request.path}?done={previous}")
        return _page(request, office, form, checked=checked, status=409)
    try:
        item = counter.do_accept_item(request.user, form.data_for_counter())
    except counter.AcceptanceRefused as refused:
        cache.delete(key)
        form.add_refusal(refused)
        return _page(request, office, form, status=400)
    except Exception:
        cache.delete(key)
        raise
    if token:
        cache.set(key, item.pk, TOKEN_SECONDS)
    return redirect(f"{request.path}?done={item.pk}")


def _counter_item(request, pk) -> Item:
    if not request.user.is_authenticated or not is_postal_staff(request.user):
        raise Http404
    item = (items_visible_to(request.user).select_related("organisation", "product", "tariff", "accepted_office",
                                                           "delivery_office", "recipient_commune",
                                                           "recipient_region", "accepted_by")
            .filter(pk=pk).first())
    if item is None:
        raise Http404
    return item


def _language() -> str:
    return (get_language() or "fr")[:2]


@require_GET
def label(request, pk):
    item = _counter_item(request, pk)
    response = HttpResponse(documents.label_pdf(item, language=_language()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="label-{item.number}.pdf"'
    return response


@require_GET
def receipt(request, pk):
    item = _counter_item(request, pk)
    data = documents.receipt_pdf(item, base_url=request.build_absolute_uri("/"), language=_language())
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{item.number}.pdf"'
    return response


urlpatterns = [
    path("counter/", counter_page, name="counter"),
    path("counter/<int:pk>/label.pdf", label, name="counter_label"),
    path("counter/<int:pk>/receipt.pdf", receipt, name="counter_receipt"),
]
