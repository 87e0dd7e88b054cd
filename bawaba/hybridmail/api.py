"""The senders' hybrid-mail API, /mail/api/v1/ (django-ninja; schema at /mail/api/v1/openapi.json).

Authentication and errors are the platform's (bawaba.api): `Authorization: Bearer <token>` of an organisation
with a hybrid-mail account (403 otherwise; read-only tokens may only read), errors as
`{"detail": ..., "errors": {field: [messages]}}` in the language of Accept-Language. Another organisation's
letters and batches answer 404 like unknown ones. Every POST takes an `Idempotency-Key`: a retry gets the first
batch back (200, header `Idempotent-Replayed: true`), the same key with another request is refused (422).
Documentation: docs/hybrid-mail-senders.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Query, Schema, Status
from ninja.openapi.docs import Swagger

from bawaba.api.auth import bearer_auth
from bawaba.api.errors import BawabaNinjaAPI, JsonParser, error_body, install
from bawaba.api.schemas import ErrorOut, Input

from . import pricing, selectors_send, senders
from .models import Batch, Letter, LetterState
from .window import WINDOW_BY_CODE

MAX_BODY_BYTES = 12 * 1024 * 1024  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE: a list of ~70,000 rows in CSV, more in XLSX
PAGE_SIZE = 100

DESCRIPTION = """Hybrid mail for sending organisations: submit letters (a PDF each, or a template and a list for
a mail merge of up to 100,000 letters), follow their status and cost, download their evidence.

Authenticate with `Authorization: Bearer <token>` (tokens per organisation, issued by its admins). Errors always
have the body `{"detail": "...", "errors": {"field": ["message"]}}` in the language of `Accept-Language`; a refused
list names each faulty row as `rows.<n>.<field>` (n: the line in the file, the header being line 1) and nothing of
it is stored. Every POST accepts an `Idempotency-Key`. Guide: docs/hybrid-mail-senders.md."""



api = BawabaNinjaAPI(
    title="Bawaba hybrid mail API (senders)",
    version="1.0",
    description=DESCRIPTION,
    urls_namespace="hybridmail:mail-api-v1",
    auth=bearer_auth,
    parser=JsonParser(max_bytes=MAX_BODY_BYTES),
    docs=Swagger(settings={"persistAuthorization": False}),
)
install(api)

COMMON = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
WRITE = {**COMMON, 409: ErrorOut, 413: ErrorOut}
KEY_HEADER = Header(
    None, alias="Idempotency-Key", min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$",
    description="Any unique text (a UUID): a retry with the same key and request gets the first batch back and "
                "stores nothing; the same key with another request: 422.")


@api.exception_handler(senders.SubmissionRefused)
def submission_refused(request, exc: senders.SubmissionRefused):
    return api.create_response(request, error_body(exc.message, exc.errors), status=422)


@api.exception_handler(senders.IdempotencyKeyReused)
def key_reused(request, exc):
    message = _("This Idempotency-Key was already used with a different request.")
    return api.create_response(request, error_body(message, {"Idempotency-Key": [message]}), status=422)


# --------------------------------------------------------------------------- schemas

class RecipientIn(Input):
    name: str = Field(min_length=1, max_length=200, description="As printed in the window.")
    address: str = Field("", max_length=120, description="Street and number.")
    address2: str = Field("", max_length=120)
    postcode: str = Field("", max_length=10, description="Algeria: required (5 digits).")
    commune: str = Field("", max_length=100, description="Commune name (tells apart communes sharing a postcode).")
    quartier: str = Field("", max_length=120, description="Congo: quartier, BP or landmark (no postcodes).")
    bp: str = Field("", max_length=20)
    landmark: str = Field("", max_length=200)
    nin: str = Field("", max_length=30, description="National identity number: finds the recipient's mailbox.")
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    reference: str = Field("", max_length=60, description="Your reference for this letter.")
    subject: str = Field("", max_length=200)


class LetterIn(Input):
    product: str = Field(min_length=1, max_length=40, description="A product code from GET /products.")
    recipient: RecipientIn
    pdf_base64: str = Field(min_length=1, description="The letter, an A4 PDF (base64), address in the window.")
    filename: str = Field("", max_length=200)
    label: str = Field("", max_length=120, description="Your label for this submission.")


class MergeIn(Input):
    product: str = Field(min_length=1, max_length=40)
    window: str = Field("din5008_b", max_length=12, description="Envelope window: " + ", ".join(WINDOW_BY_CODE))
    subject: str = Field("", max_length=200, description="Subject line; may use {placeholders}.")
    body: str = Field(min_length=1, max_length=20000, description="The letter's text with {column} placeholders; "
                                                                   "a blank line between paragraphs.")
    list_base64: str = Field(min_length=1, description="CSV (UTF-8, Windows-1256 or -1252) or XLSX, base64.")
    label: str = Field("", max_length=120)


class ProductOut(Schema):
    code: str
    name: str
    registered: bool
    path: str
    paper_after_days: int
    max_pages: int
    digital_price: Decimal | None
    paper_price: Decimal | None
    extra_sheet_price: Decimal | None
    currency: str


class LetterOut(Schema):
    reference: str
    batch: str
    position: int
    sender_reference: str
    subject: str
    recipient_name: str
    state: str
    state_label: str
    refusal_code: str
    refusal_reason: str
    pages: int
    sheets: int
    window: str
    address_read_by_ocr: bool = Field(description="The address was read by OCR from a scanned page: check it.")
    ocr_confidence: int | None = Field(description="The OCR's mean confidence (percent), when read by OCR.")
    path: str = Field(description="digital or paper: where the letter went (or is priced at so far).")
    price: Decimal | None = Field(description="The price if it stays digital (paper-only products: paper price).")
    paper_price: Decimal | None = Field(description="The price if it goes to paper.")
    charged: Decimal | None = Field(description="What this letter costs as things stand.")
    currency: str
    created_at: dt.datetime
    deposited_at: dt.datetime | None
    opened_at: dt.datetime | None
    to_print_at: dt.datetime | None
    posted_at: dt.datetime | None
    closed_at: dt.datetime | None


class BatchOut(Schema):
    reference: str
    kind: str
    state: str
    state_label: str
    product: str
    label: str
    letters_total: int
    letters_accepted: int
    letters_refused: int
    chunks_total: int
    chunks_done: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    letters: list[LetterOut] = Field(description="The letters (a PDF submission; empty for mail merges: list "
                                                 "them with GET /letters?batch=).")


class BatchPage(Schema):
    count: int
    page: int
    results: list[BatchOut]


class LetterPage(Schema):
    count: int
    page: int
    results: list[LetterOut]


class LetterFilters(Schema):
    batch: str = Field("", max_length=24)
    state: str = Field("", max_length=12, description="One of: " + ", ".join(LetterState.values))
    page: int = Field(1, ge=1, le=100000)


class PageIn(Schema):
    page: int = Field(1, ge=1, le=100000)


# --------------------------------------------------------------------------- helpers

def _profile(request):
    return senders.profile_for(request.auth)


def letter_out(letter: Letter) -> dict:
    paper = pricing.went_to_paper(letter) or letter.product.path == "paper"
    return {
        "reference": letter.reference, "batch": letter.batch.reference, "position": letter.position,
        "sender_reference": letter.sender_reference, "subject": letter.subject,
        "recipient_name": letter.recipient_name, "state": letter.state,
        "state_label": str(LetterState(letter.state).label), "refusal_code": letter.refusal_code,
        "refusal_reason": letter.refusal_reason, "pages": letter.pages, "sheets": letter.sheets,
        "window": letter.window, "address_read_by_ocr": letter.ocr_confidence is not None,
        "ocr_confidence": letter.ocr_confidence, "path": "paper" if paper else "digital", "price": letter.price,
        "paper_price": letter.paper_price, "charged": pricing.charged(letter), "currency": letter.currency,
        "created_at": letter.created_at, "deposited_at": letter.deposited_at, "opened_at": letter.opened_at,
        "to_print_at": letter.to_print_at, "posted_at": letter.posted_at, "closed_at": letter.closed_at,
    }


def batch_out(batch: Batch, *, with_letters: bool = True) -> dict:
    letters = []
    if with_letters and batch.kind == "pdf":
        letters = [letter_out(x) for x in batch.letters.select_related("product", "batch").order_by("position")]
    return {
        "reference": batch.reference, "kind": batch.kind, "state": batch.state,
        "state_label": str(batch.get_state_display()), "product": batch.product.code, "label": batch.label,
        "letters_total": batch.letters_total, "letters_accepted": batch.letters_accepted,
        "letters_refused": batch.letters_refused, "chunks_total": batch.chunks_total,
        "chunks_done": batch.chunks_done, "created_at": batch.created_at, "finished_at": batch.finished_at,
        "letters": letters,
    }


def _answer(response: HttpResponse, batch: Batch, replayed: bool, created_status: int):
    if replayed:
        response["Idempotent-Replayed"] = "true"
    batch.refresh_from_db()
    if batch.kind == "pdf" and batch.state == "refused":
        letters = list(batch.letters.order_by("position"))
        errors = {f"letters.{x.position - 1}": [x.refusal_reason] for x in letters}
        detail = _("Nothing was sent: the letter was refused (batch %(batch)s).") % {"batch": batch.reference}
        return Status(422, error_body(detail, errors))
    return Status(200 if replayed else created_status, batch_out(batch))


# --------------------------------------------------------------------------- routes

@api.get("/products", response={200: list[ProductOut], **COMMON}, operation_id="listProducts", tags=["products"],
         summary="Products you may send, with today's prices")
def list_products(request):
    profile = _profile(request)
    today = timezone.localdate()
    out = []
    for product in senders.allowed_products(profile):
        try:
            line = pricing.tariff_line(product, today)
        except pricing.NoTariff:
            line = None
        out.append({"code": product.code, "name": product.name, "registered": product.registered,
                    "path": product.path, "paper_after_days": product.paper_after_days,
                    "max_pages": product.max_pages,
                    "digital_price": line.digital_price if line else None,
                    "paper_price": line.paper_price if line else None,
                    "extra_sheet_price": line.extra_sheet_price if line else None,
                    "currency": line.tariff.currency if line else ""})
    return out


@api.post("/letters", response={201: BatchOut, 200: BatchOut, **WRITE}, operation_id="sendLetter",
          tags=["letters"], summary="Send one letter (a PDF)",
          description="The PDF is checked (A4, pages, fonts embedded, no scripts or attachments, not encrypted or "
                      "damaged) and the address read in its envelope window must name the recipient. 201: accepted "
                      "and on its way; 422: refused with the reason (the refusal is kept, with its evidence, and "
                      "nothing is sent) or the input is not valid (nothing stored).")
def send_letter(request, payload: LetterIn, response: HttpResponse, idempotency_key: str = KEY_HEADER):
    profile = _profile(request)
    pdf = senders.decode_base64(payload.pdf_base64, "pdf_base64")
    item = senders.PdfLetterIn(payload.filename or "letter.pdf", pdf, payload.recipient.dict())
    batch, replayed = senders.submit_pdfs(profile, request.auth, payload.product, [item],
                                          idempotency_key=idempotency_key or "", label=payload.label)
    return _answer(response, batch, replayed, 201)


@api.post("/batches/merge", response={202: BatchOut, 200: BatchOut, **WRITE}, operation_id="sendMailMerge",
          tags=["batches"], summary="Send a mail merge (template + list)",
          description="The list is checked whole: one bad row and nothing is stored (422, errors by `rows.<n>."
                      "<field>`). 202: accepted; its letters are made by background jobs (follow `chunks_done`).")
def send_merge(request, payload: MergeIn, response: HttpResponse, idempotency_key: str = KEY_HEADER):
    profile = _profile(request)
    table = senders.decode_base64(payload.list_base64, "list_base64")
    batch, replayed = senders.submit_merge(profile, request.auth, payload.product, subject=payload.subject,
                                           body=payload.body, table=table, window_code=payload.window,
                                           idempotency_key=idempotency_key or "", label=payload.label)
    return _answer(response, batch, replayed, 202)


@api.get("/batches", response={200: BatchPage, **COMMON}, operation_id="listBatches", tags=["batches"],
         summary="Your batches, newest first")
def list_batches(request, filters: Query[PageIn]):
    profile = _profile(request)
    batches = selectors_send.batches(profile.organisation).select_related("product")
    start = (filters.page - 1) * PAGE_SIZE
    return {"count": batches.count(), "page": filters.page,
            "results": [batch_out(b, with_letters=False) for b in batches[start:start + PAGE_SIZE]]}


@api.get("/batches/{reference}", response={200: BatchOut, **COMMON}, operation_id="getBatch", tags=["batches"],
         summary="One batch")
def get_batch(request, reference: str = Path(..., max_length=24)):
    profile = _profile(request)
    batch = selectors_send.batches(profile.organisation).select_related("product").filter(
        reference=reference.strip().upper()).first()
    if batch is None:
        raise Http404(reference)
    return batch_out(batch)


@api.get("/letters", response={200: LetterPage, **COMMON}, operation_id="listLetters", tags=["letters"],
         summary="Your letters, newest first")
def list_letters(request, filters: Query[LetterFilters]):
    profile = _profile(request)
    if filters.state and filters.state not in LetterState.values:
        raise senders.SubmissionRefused(_("The request is not valid: see the errors by field."),
                                        {"state": [_("Unknown state.")]})
    letters = selectors_send.letters(profile.organisation, batch=filters.batch, state=filters.state)
    start = (filters.page - 1) * PAGE_SIZE
    return {"count": letters.count(), "page": filters.page,
            "results": [letter_out(x) for x in letters[start:start + PAGE_SIZE]]}


def _letter(request, reference: str) -> Letter:
    profile = _profile(request)
    letter = selectors_send.letter(profile.organisation, reference)
    if letter is None:
        raise Http404(reference)
    return letter


@api.get("/letters/{reference}", response={200: LetterOut, **COMMON}, operation_id="getLetter", tags=["letters"],
         summary="One letter")
def get_letter(request, reference: str = Path(..., max_length=24)):
    return letter_out(_letter(request, reference))


@api.get("/letters/{reference}/proof", response={200: None, **COMMON}, operation_id="getLetterProof",
         tags=["letters"], summary="The letter's evidence (PDF, or the JSON bundle with ?format=json)",
         openapi_extra={"responses": {200: {"description": "The proof", "content": {
             "application/pdf": {"schema": {"type": "string", "format": "binary"}},
             "application/json": {"schema": {"type": "object"}}}}}})
def get_proof(request, reference: str = Path(..., max_length=24), format: str = Query("pdf", pattern="^(pdf|json)$")):  # noqa: A002
    letter = _letter(request, reference)
    data, content_type, name = selectors_send.proof(letter, format)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
