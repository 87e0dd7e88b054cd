"""Issued means frozen, provably: each payment statement's documents are stored, bytes and SHA-256, at issue.

At issue, inside the issuing transaction, freeze_figures stores each payment statement's figures as canonical
JSON (figures()) with their SHA-256; right after the commit, in the same call, store_documents stores the PDF,
the UBL e-invoice, the Factur-X PDF/A-3 and, for a regular statement, the work statement's PDF, rendered from
those rows. Downloads serve these bytes. verify() checks that
- each file still gives its stored SHA-256 (an edit of the bytes),
- the statement row's figures are still those frozen at issue (an edit of an amount, a date, a party...),
- the stored UBL and the CII inside the stored Factur-X state the row's totals (the documents say what the
  row says),
and names every disagreement. `bawaba fibre_verify_documents` runs it over the statements; the statement page
shows its result.

Limit: someone able to rewrite both the bytes and their hash in the database, consistently with the figures,
is not caught by this alone; sealing the hashes in the evidence chain (bawaba.evidence) is the next step.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.utils import timezone
from django.utils.translation import gettext as _

from . import documents as billing_documents
from .einvoice import e_document
from .models import IssuedFile, IssuedFileKind, PaymentStatement
from .rows import rows_by_work_statement, statement_rows

FIGURE_FIELDS = (
    "number", "kind", "year", "sequence", "issued_on", "due_on", "contractor_id", "contract_id", "work_statement_id",
    "corrects_id", "correction_reason", "gross_amount", "retention_amount", "advance_recovery_amount",
    "penalty_amount", "taxable_amount", "vat_rate", "vat_amount", "net_amount", "retention_rate",
    "advance_recovery_rate", "payment_terms_days", "amount_in_words_fr", "amount_in_words_ar", "penalty_detail",
    "penalty_due_amount", "penalty_carried_in_amount", "penalty_contract_cap_amount",
    "penalty_charged_to_date_amount", "penalty_carried_amount", "penalty_waived_amount", "parties",
)
WORK_FIELDS = ("number", "period_start", "period_end", "cumulative_amount", "previous_cumulative_amount",
               "period_amount", "line_count")


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:.4f}"  # one spelling whatever the database returns (SQLite gives 1500 for 1500.00)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def figures(statement: PaymentStatement) -> dict:
    """Every figure the documents print, from the statement row and its work statement and lines."""

    data = {name: _plain(getattr(statement, name)) for name in FIGURE_FIELDS}
    if statement.work_statement_id:
        ws = statement.work_statement
        data["work_statement"] = {name: _plain(getattr(ws, name)) for name in WORK_FIELDS}
        data["lines"] = [[row.code, _plain(row.quantity), _plain(row.unit_price), _plain(row.amount)]
                         for row in statement_rows(ws)]
    # Incentive bonuses: only when there are some, so that the figures frozen before bonuses were paid still
    # read the same (absent = none).
    if statement.bonus_amount:
        data["bonus_amount"] = _plain(statement.bonus_amount)
        data["incentives"] = [[i.kind, _plain(i.amount), i.basis] for i in statement.incentives.all()]
    return data


def canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


DOCUMENT_KINDS = (IssuedFileKind.PDF, IssuedFileKind.UBL, IssuedFileKind.FACTURX, IssuedFileKind.WORK_PDF)


def render_files(statement: PaymentStatement, kinds=DOCUMENT_KINDS) -> dict[str, bytes]:
    """The documents of a statement, rendered from its row (the figures are frozen apart: freeze_figures)."""

    files = {}
    if IssuedFileKind.PDF in kinds:
        files[IssuedFileKind.PDF] = billing_documents.payment_statement_pdf(statement)
    if IssuedFileKind.UBL in kinds:
        files[IssuedFileKind.UBL] = billing_documents.payment_statement_ubl(statement)
    if IssuedFileKind.FACTURX in kinds:
        files[IssuedFileKind.FACTURX] = billing_documents.payment_statement_facturx(statement)
    if IssuedFileKind.WORK_PDF in kinds and statement.work_statement_id:
        files[IssuedFileKind.WORK_PDF] = billing_documents.work_statement_pdf(statement.work_statement)
    return files


def _load_rows(statements) -> None:
    """The billing lines of the statements' work statements in one query, and their bonuses in another."""
    from django.db.models import prefetch_related_objects


    work_statements = [s.work_statement for s in statements
                       if s.work_statement_id and not hasattr(s.work_statement, "_document_rows")]
    rows = rows_by_work_statement([ws.pk for ws in work_statements]) if work_statements else {}
    for ws in work_statements:
        ws._document_rows = rows[ws.pk]
    with_bonus = [s for s in statements if s.bonus_amount]
    if with_bonus:
        prefetch_related_objects(with_bonus, "incentives")


def freeze_figures(statements, now=None) -> None:
    """Hash the figures of newly issued statements: call inside the issuing transaction, with the rows.

    This is what makes "issued" mean "frozen": the figures are canonical JSON with their SHA-256 from the
    moment the statement exists. The documents, rendered from those same figures, are written right after the
    transaction commits (store_documents), outside the contracts' row locks; a statement whose files are
    missing (a crash in between) is reported by verify() and its files written on first download once its
    figures are found unchanged (ensure_frozen).
    """
    now = now or timezone.now()
    _load_rows(statements)
    IssuedFile.objects.bulk_create([
        IssuedFile(statement=s, kind=IssuedFileKind.FIGURES, content=content, sha256=sha256(content), created_at=now)
        for s in statements for content in (canonical(figures(s)),)])


def store_documents(statements, now=None) -> None:
    """Render and store the documents of statements whose figures were just frozen (after the commit)."""
    now = now or timezone.now()
    _load_rows(statements)
    IssuedFile.objects.bulk_create([
        IssuedFile(statement=statement, kind=kind, content=content, sha256=sha256(content), created_at=now)
        for statement in statements for kind, content in render_files(statement).items()])


def freeze_statements(statements, now=None) -> None:
    """Figures and documents at once (a statement issued before documents were stored at issue)."""
    freeze_figures(statements, now)
    store_documents(statements, now)


def ensure_frozen(statement: PaymentStatement) -> None:
    """Store now what is missing: everything for a statement issued before documents were stored at issue;
    the documents of one whose files were not written after its issue (a crash after the commit), provided
    its figures are still those frozen (otherwise nothing is written: verify() reports the disagreement)."""
    from django.db import IntegrityError, transaction

    stored = {found.kind: found for found in IssuedFile.objects.filter(statement=statement)}
    try:
        with transaction.atomic():
            if not stored:
                freeze_statements([statement])
                return
            missing = [kind for kind in DOCUMENT_KINDS if kind not in stored
                       and (kind != IssuedFileKind.WORK_PDF or statement.work_statement_id)]
            figures_row = stored.get(IssuedFileKind.FIGURES)
            if not missing or figures_row is None or bytes(figures_row.content) != canonical(figures(statement)):
                return
            _load_rows([statement])
            now = timezone.now()
            IssuedFile.objects.bulk_create([
                IssuedFile(statement=statement, kind=kind, content=content, sha256=sha256(content), created_at=now)
                for kind, content in render_files(statement, missing).items()])
    except IntegrityError:
        pass  # another request stored them meanwhile (one row per statement and kind)


def stored_file(statement: PaymentStatement, kind: str) -> bytes:
    """The bytes to download, as stored at issue (see ensure_frozen for statements issued before)."""
    ensure_frozen(statement)
    found = IssuedFile.objects.filter(statement=statement, kind=kind).first()
    if found is None:
        raise IssuedFile.DoesNotExist(f"{statement.number} has no {kind}")
    return bytes(found.content)


@dataclass(frozen=True)
class Problem:
    code: str  # "missing", "hash", "figure", "document"
    kind: str  # the file concerned, or the figure's name
    message: str


def _differences(frozen: dict, now: dict, prefix="") -> list[str]:
    names = []
    for key in sorted(set(frozen) | set(now)):
        a, b = frozen.get(key), now.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            names += _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            names.append(f"{prefix}{key}")
    return names


def _document_totals(content: bytes, names: dict[str, str]) -> dict[str, Decimal]:
    """The first element of each local name in a stored XML (the document-level totals come first)."""
    root = ET.fromstring(content)  # noqa: S314 - our own stored output
    found: dict[str, Decimal] = {}
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in names and names[name] not in found:
            found[names[name]] = Decimal(element.text)
    return found


UBL_TOTALS = {"TaxExclusiveAmount": "tax_exclusive", "TaxInclusiveAmount": "tax_inclusive",
              "PayableAmount": "payable"}
CII_TOTALS = {"TaxBasisTotalAmount": "tax_exclusive", "GrandTotalAmount": "tax_inclusive",
              "DuePayableAmount": "payable"}


def verify(statement: PaymentStatement) -> list[Problem]:
    """Every disagreement between the stored files, their hashes and the statement row; [] when all agree."""

    files = {found.kind: found for found in IssuedFile.objects.filter(statement=statement)}
    problems = []
    expected = [IssuedFileKind.FIGURES, IssuedFileKind.PDF, IssuedFileKind.UBL, IssuedFileKind.FACTURX]
    if statement.work_statement_id:
        expected.append(IssuedFileKind.WORK_PDF)
    for kind in expected:
        if kind not in files:
            problems.append(Problem("missing", kind, _("%(number)s: the %(kind)s issued is not stored.")
                                    % {"number": statement.number, "kind": IssuedFileKind(kind).label}))
    for kind, found in files.items():
        if sha256(bytes(found.content)) != found.sha256:
            problems.append(Problem("hash", kind, _("%(number)s: the stored %(kind)s no longer matches its SHA-256: "
                                                    "its bytes were changed after issue.")
                                    % {"number": statement.number, "kind": IssuedFileKind(kind).label}))
    if IssuedFileKind.FIGURES in files:
        frozen = json.loads(bytes(files[IssuedFileKind.FIGURES].content))
        for name in _differences(frozen, figures(statement)):
            problems.append(Problem("figure", name, _("%(number)s: “%(name)s” differs from the figure frozen at "
                                                      "issue.") % {"number": statement.number, "name": name}))
    doc = e_document(statement)
    row = {"tax_exclusive": doc.tax_exclusive, "tax_inclusive": doc.tax_inclusive, "payable": doc.tax_inclusive}
    xmls = []
    if IssuedFileKind.UBL in files:
        xmls.append((IssuedFileKind.UBL, bytes(files[IssuedFileKind.UBL].content), UBL_TOTALS))
    if IssuedFileKind.FACTURX in files:
        xmls.append((IssuedFileKind.FACTURX, _embedded_xml(bytes(files[IssuedFileKind.FACTURX].content)), CII_TOTALS))
    for kind, xml, names in xmls:
        try:
            stated = _document_totals(xml, names) if xml else {}
        except (ET.ParseError, ArithmeticError, TypeError):
            stated = {}
        if stated != row:
            problems.append(Problem("document", kind, _("%(number)s: the totals the stored %(kind)s states are not "
                                                        "the statement's.")
                                    % {"number": statement.number, "kind": IssuedFileKind(kind).label}))
    return problems


def _embedded_xml(pdf: bytes) -> bytes:
    try:
        from facturx import get_xml_from_pdf

        _filename, xml = get_xml_from_pdf(io.BytesIO(pdf), check_xsd=False)
        return xml or b""
    except Exception:  # noqa: BLE001 - a damaged PDF is a finding, not a crash
        return b""
