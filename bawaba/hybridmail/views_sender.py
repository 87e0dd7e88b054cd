"""The sender's pages (/mail/send/): send a letter, several PDFs or a mail merge; follow letters and batches, their
cost by path, refused letters with their reasons; download a letter's proof; export letters as CSV.

Every view: signed in, the sender role, an organisation with a hybrid-mail account (senders.ensure_sender), and
only that organisation's letters (another's answer 404, like unknown ones).
"""

from __future__ import annotations

import csv
import uuid
from functools import wraps

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from . import merge, pdfcheck, pricing, selectors_send, senders
from .models import LetterState
from .window import WINDOWS

PAGE_SIZE = 50
EXPORT_LIMIT = 200_000


def sender_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.sender_profile = senders.ensure_sender(request.user)
        return view(request, *args, **kwargs)

    return wrapper


# --- Forms ------------------------------------------------------------------------------------------------

class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class SubmissionForm(forms.Form):
    product = forms.ChoiceField(label=gettext_lazy("Product"))
    label = forms.CharField(label=gettext_lazy("Label (for you)"), max_length=120, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args, profile, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [(p.code, p.name) for p in senders.allowed_products(profile)]
        self.fields["label"].widget.attrs["dir"] = "auto"
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex  # a double click submits the same batch once


def _auto(field):
    field.widget.attrs["dir"] = "auto"
    return field


class LetterForm(SubmissionForm):
    pdf = forms.FileField(label=gettext_lazy("The letter (PDF, A4)"),
                          widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))
    name = _auto(forms.CharField(label=gettext_lazy("Recipient"), max_length=200))
    address = _auto(forms.CharField(label=gettext_lazy("Address"), max_length=120, required=False))
    address2 = _auto(forms.CharField(label=gettext_lazy("Address (continued)"), max_length=120, required=False))
    postcode = forms.CharField(label=gettext_lazy("Postcode"), max_length=10, required=False)
    commune = _auto(forms.CharField(label=gettext_lazy("Commune"), max_length=100, required=False))
    quartier = _auto(forms.CharField(label=gettext_lazy("Quartier"), max_length=120, required=False))
    bp = forms.CharField(label=gettext_lazy("PO box (BP)"), max_length=20, required=False)
    landmark = _auto(forms.CharField(label=gettext_lazy("Landmark"), max_length=200, required=False))
    nin = forms.CharField(label=gettext_lazy("National identity number (finds their mailbox)"), max_length=30,
                          required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=254, required=False)
    reference = _auto(forms.CharField(label=gettext_lazy("Your reference"), max_length=60, required=False))
    subject = _auto(forms.CharField(label=gettext_lazy("Subject"), max_length=200, required=False))

    RECIPIENT_FIELDS = ("name", "address", "address2", "postcode", "commune", "quartier", "bp", "landmark", "nin",
                        "phone", "email", "reference", "subject")


class PdfsForm(SubmissionForm):
    pdfs = MultipleFileField(label=gettext_lazy("The letters (PDFs, A4)"))
    recipients = forms.FileField(label=gettext_lazy("Their recipients (CSV or XLSX, a “fichier” column naming "
                                                    "each PDF)"))


class MergeForm(SubmissionForm):
    window = forms.ChoiceField(label=gettext_lazy("Envelope window"),
                               choices=[(w.code, w.label) for w in WINDOWS], initial="din5008_b")
    subject = _auto(forms.CharField(label=gettext_lazy("Subject"), max_length=200, required=False))
    body = _auto(forms.CharField(label=gettext_lazy("Letter text, with {column} placeholders"),
                                 max_length=merge.MAX_TEMPLATE_CHARS, required=False,
                                 widget=forms.Textarea(attrs={"rows": 12})))
    template_file = forms.FileField(label=gettext_lazy("…or a text file (.txt, UTF-8)"), required=False)
    table = forms.FileField(label=gettext_lazy("The list (CSV or XLSX)"))

    def clean(self):
        data = super().clean()
        upload = data.get("template_file")
        if upload:
            if upload.size > merge.MAX_TEMPLATE_CHARS * 4:
                raise forms.ValidationError(_("The template is too long."))
            try:
                data["body"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(_("The template file must be text in UTF-8.")) from exc
        if not (data.get("body") or "").strip():
            self.add_error("body", _("The letter's text is required."))
        return data


def _read_upload(upload, limit: int) -> bytes:
    if upload.size > limit:
        raise senders.SubmissionRefused(_("The file is too large."), {"__all__": [_(
            "“%(name)s” is larger than %(size)d MB.") % {"name": upload.name[:80], "size": limit // 1048576}]})
    return upload.read()


def _apply_refusal(form, exc: senders.SubmissionRefused):
    form.add_error(None, exc.message)
    for name, messages in list(exc.errors.items())[:100]:
        target = name if name in form.fields and name != "idempotency_key" else None
        for message in messages:
            form.add_error(target, message if target else f"{_row_label(name)}: {message}")


def _row_label(name: str) -> str:
    parts = name.split(".")
    if parts[0] == "rows" and len(parts) >= 2:
        return _("Line %(line)s (%(field)s)") % {"line": parts[1], "field": parts[-1]}
    if parts[0] == "letters" and len(parts) >= 2:
        return _("Letter %(number)d (%(field)s)") % {"number": int(parts[1]) + 1, "field": parts[-1]}
    return name


# --- Pages ------------------------------------------------------------------------------------------------

@sender_page
@require_GET
def home(request):
    organisation = request.sender_profile.organisation
    return render(request, "hybridmail/sender/home.html", {
        "costs": selectors_send.costs(organisation), "states": _state_rows(selectors_send.states(organisation)),
        "batches": selectors_send.batches(organisation).select_related("product")[:10],
        "refused": selectors_send.letters(organisation, state=LetterState.REFUSED)[:10],
        "nav": "mail-sent"})


def _state_rows(counts: dict) -> list[tuple[str, str, int]]:
    return [(state.value, state.label, counts[state.value]) for state in LetterState if counts.get(state.value)]


@sender_page
@require_http_methods(["GET", "POST"])
def send_letter(request):
    profile = request.sender_profile
    form = LetterForm(request.POST or None, request.FILES or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pdf = _read_upload(data["pdf"], pdfcheck.max_pdf_bytes())
            item = senders.PdfLetterIn(data["pdf"].name, pdf, {k: data.get(k, "") for k in form.RECIPIENT_FIELDS})
            batch, _replayed = senders.submit_pdfs(profile, request.user, data["product"], [item],
                                                   idempotency_key=data["idempotency_key"], label=data["label"])
            return redirect("hybridmail:sender-batch", reference=batch.reference)
        except senders.SubmissionRefused as exc:
            _apply_refusal(form, exc)
        except senders.IdempotencyKeyReused:
            form.add_error(None, _("This form was already sent with other content: reload the page."))
    return render(request, "hybridmail/sender/send_letter.html", {"form": form, "nav": "mail-sent"},
                  status=400 if form.errors else 200)


@sender_page
@require_http_methods(["GET", "POST"])
def send_pdfs(request):
    profile = request.sender_profile
    form = PdfsForm(request.POST or None, request.FILES or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            items = _pdf_items(data["pdfs"], _read_upload(data["recipients"], senders.MAX_LIST_BYTES))
            batch, _replayed = senders.submit_pdfs(profile, request.user, data["product"], items,
                                                   idempotency_key=data["idempotency_key"], label=data["label"])
            return redirect("hybridmail:sender-batch", reference=batch.reference)
        except senders.SubmissionRefused as exc:
            _apply_refusal(form, exc)
        except senders.IdempotencyKeyReused:
            form.add_error(None, _("This form was already sent with other content: reload the page."))
    return render(request, "hybridmail/sender/send_pdfs.html", {"form": form, "nav": "mail-sent"},
                  status=400 if form.errors else 200)


def _pdf_items(uploads, table: bytes) -> list[senders.PdfLetterIn]:
    """Pair each uploaded PDF with its row of the recipients' list (column fichier/file)."""
    from django.core.exceptions import ValidationError

    from bawaba.core.tabular import read_table

    invalid = _("Nothing was sent: correct the errors.")
    if len(uploads) > senders.MAX_PDFS_PER_REQUEST:
        raise senders.SubmissionRefused(invalid, {"pdfs": [_(
            "At most %(max)d PDFs in one submission: send a mail merge for bigger mailings.") % {
            "max": senders.MAX_PDFS_PER_REQUEST}]})
    try:
        rows = read_table(table, max_bytes=senders.MAX_LIST_BYTES, max_rows=senders.MAX_PDFS_PER_REQUEST + 1)
    except ValidationError as exc:
        raise senders.SubmissionRefused(invalid, {"recipients": exc.messages}) from exc
    columns = merge.canonical_columns(rows[0] if rows else [])
    file_column = next((columns[k] for k in ("fichier", "file", "filename", "pdf") if k in columns), None)
    if file_column is None:
        raise senders.SubmissionRefused(invalid, {"recipients": [_("The list needs a “fichier” column naming "
                                                                   "each PDF.")]})
    by_name = {}
    for row in rows[1:]:
        values = {name: (row[index] if index < len(row) else "") for name, index in columns.items()}
        values["bp"] = values.get("bp", "")
        by_name[(row[file_column] if file_column < len(row) else "").strip()] = values
    items, errors = [], {}
    for index, upload in enumerate(uploads):
        recipient = by_name.get(upload.name)
        if recipient is None:
            errors[f"letters.{index}.fichier"] = [_("“%(name)s” is not in the list.") % {"name": upload.name[:80]}]
            continue
        items.append(senders.PdfLetterIn(upload.name, _read_upload(upload, pdfcheck.max_pdf_bytes()), recipient))
    if errors:
        raise senders.SubmissionRefused(invalid, errors)
    return items


@sender_page
@require_http_methods(["GET", "POST"])
def send_merge(request):
    profile = request.sender_profile
    form = MergeForm(request.POST or None, request.FILES or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            table = _read_upload(data["table"], senders.MAX_LIST_BYTES)
            batch, _replayed = senders.submit_merge(
                profile, request.user, data["product"], subject=data.get("subject", ""), body=data["body"],
                table=table, window_code=data["window"], idempotency_key=data["idempotency_key"],
                label=data["label"])
            return redirect("hybridmail:sender-batch", reference=batch.reference)
        except senders.SubmissionRefused as exc:
            _apply_refusal(form, exc)
        except senders.IdempotencyKeyReused:
            form.add_error(None, _("This form was already sent with other content: reload the page."))
    return render(request, "hybridmail/sender/send_merge.html", {
        "form": form, "nav": "mail-sent", "max_rows": senders.MAX_BATCH}, status=400 if form.errors else 200)


@sender_page
@require_GET
def batch_detail(request, reference):
    organisation = request.sender_profile.organisation
    batch = selectors_send.batches(organisation).select_related("product").filter(
        reference=reference.upper()).first()
    if batch is None:
        raise Http404(reference)
    page = Paginator(selectors_send.letters(organisation, batch=batch.reference).order_by("position"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "hybridmail/sender/batch.html", {
        "batch": batch, "page": page, "costs": selectors_send.costs(organisation, batch=batch),
        "states": _state_rows(selectors_send.states(organisation, batch=batch)),
        "running": batch.kind == "merge" and batch.finished_at is None, "nav": "mail-sent"})


class LetterFilters(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("All"))] + list(LetterState.choices))
    batch = forms.CharField(label=gettext_lazy("Batch"), max_length=24, required=False)
    q = forms.CharField(label=gettext_lazy("Reference or recipient"), max_length=100, required=False)


def _filtered(request):
    form = LetterFilters(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, selectors_send.letters(request.sender_profile.organisation, batch=data.get("batch", ""),
                                        state=data.get("state", ""), q=data.get("q", ""))


@sender_page
@require_GET
def letter_list(request):
    form, letters = _filtered(request)
    page = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "hybridmail/sender/letters.html", {
        "form": form, "page": page, "query": query.urlencode(), "nav": "mail-sent"})


@sender_page
@require_GET
def letter_detail(request, reference):
    from bawaba.evidence.models import EvidenceRecord

    letter = selectors_send.letter(request.sender_profile.organisation, reference)
    if letter is None:
        raise Http404(reference)
    records = EvidenceRecord.objects.filter(subject=letter.evidence_subject).order_by("seq", "id")
    return render(request, "hybridmail/sender/letter.html", {
        "letter": letter, "records": records, "charged": pricing.charged(letter),
        "paper": pricing.went_to_paper(letter), "nav": "mail-sent"})


@sender_page
@require_GET
def letter_proof(request, reference):
    letter = selectors_send.letter(request.sender_profile.organisation, reference)
    if letter is None:
        raise Http404(reference)
    fmt = "json" if request.GET.get("format") == "json" else "pdf"
    data, content_type, name = selectors_send.proof(letter, fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class _Echo:
    def write(self, value):
        return value


CSV_HEADER = ("reference", "batch", "position", "sender_reference", "recipient", "postcode", "commune", "product",
              "state", "refusal_code", "refusal_reason", "path", "pages", "sheets", "price", "paper_price",
              "charged", "currency", "created_at", "deposited_at", "opened_at", "to_print_at", "posted_at",
              "closed_at", "address_read_by_ocr", "ocr_confidence")


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text  # no formulas in a spreadsheet


@sender_page
@require_GET
def letters_csv(request):
    _form, letters = _filtered(request)
    letters = letters.select_related("recipient_commune")[:EXPORT_LIMIT]
    writer = csv.writer(_Echo(), delimiter=";")

    def rows():
        yield "\ufeff" + writer.writerow(CSV_HEADER)
        for x in letters.iterator(chunk_size=2000):
            paper = pricing.went_to_paper(x) or x.product.path == "paper"
            yield writer.writerow([_cell(v) for v in (
                x.reference, x.batch.reference, x.position, x.sender_reference, x.recipient_name,
                x.recipient_postcode, x.recipient_commune.name_fr if x.recipient_commune_id else "", x.product.code,
                x.state, x.refusal_code, x.refusal_reason, "" if x.state == "refused" else
                ("paper" if paper else "digital"), x.pages, x.sheets, x.price, x.paper_price, pricing.charged(x),
                x.currency, x.created_at.isoformat(), *(v.isoformat() if v else "" for v in (
                    x.deposited_at, x.opened_at, x.to_print_at, x.posted_at, x.closed_at)),
                "yes" if x.ocr_confidence is not None else "no", x.ocr_confidence)])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="letters.csv"'
    return response


urlpatterns = [
    path("send/", home, name="sender-home"),
    path("send/letter/", send_letter, name="sender-letter"),
    path("send/pdfs/", send_pdfs, name="sender-pdfs"),
    path("send/merge/", send_merge, name="sender-merge"),
    path("send/letters/", letter_list, name="sender-letters"),
    path("send/letters.csv", letters_csv, name="sender-letters-csv"),
    path("send/letters/<str:reference>/", letter_detail, name="sender-letter-detail"),
    path("send/letters/<str:reference>/proof/", letter_proof, name="sender-letter-proof"),
    path("send/batches/<str:reference>/", batch_detail, name="sender-batch"),
]
