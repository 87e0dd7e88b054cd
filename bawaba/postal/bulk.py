"""Bulk scan files from a sorting centre or an office of exchange: CSV or XLSX, thousands of rows at once.

The file is accepted whole or refused whole: every row is read and checked (its own cells, then what
bawaba.postal.tracking.validate says of the event), and one faulty row refuses the file with the list of
faulty rows by line number; otherwise record_events stores every event in one transaction. Sending the same
file again stores nothing new (each event's fingerprint), so a sorter who is unsure whether the upload went
through can simply send it again.

Columns (first line; names in English or French, any order, case ignored):
    number (numero), code, occurred_at (date), office_code (bureau), reason_code (motif), action_code (action),
    signatory (signataire), device (appareil), latitude, longitude, external_id (id_externe)
Required: number, code, occurred_at. Times: ISO 8601 with an offset (2026-03-01T14:05:00+01:00), or day first
without one (01/03/2026 14:05, read in the post's local time); XLSX date cells are local times too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.tabular import read_table
from bawaba.postal import tracking
from bawaba.postal.models import EventSource
from bawaba.postal.tracking import EventInput, EventsRefused, RowError

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
XLSX = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}
REQUIRED = ("number", "code", "occurred_at")
ALIASES = {
    "number": "number", "numero": "number", "numéro": "number", "s10": "number", "item": "number",
    "code": "code", "event": "code", "evenement": "code", "événement": "code",
    "occurred_at": "occurred_at", "date": "occurred_at", "time": "occurred_at", "heure": "occurred_at",
    "office_code": "office_code", "office": "office_code", "bureau": "office_code",
    "reason_code": "reason_code", "reason": "reason_code", "motif": "reason_code",
    "action_code": "action_code", "action": "action_code",
    "signatory": "signatory", "signataire": "signatory",
    "device": "device", "appareil": "device", "scanner": "device",
    "latitude": "latitude", "lat": "latitude", "longitude": "longitude", "lon": "longitude", "lng": "longitude",
    "external_id": "external_id", "id_externe": "external_id",
}
LIMITS = {"number": 40, "code": 3, "office_code": 20, "reason_code": 3, "action_code": 3, "signatory": 150,
          "device": 60, "external_id": 100}
LOCAL_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
                 "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


class FileRefused(ValidationError):
    """The file as a whole cannot be read (type, size, encoding, header): nothing was recorded."""


@dataclasses.dataclass
class BulkReport:
    rows: int
    created: int = 0
    duplicates: int = 0
    flagged: int = 0
    items: int = 0
    errors: list[RowError] = dataclasses.field(default_factory=list)  # ``row`` is the file's line number

    @property
    def ok(self) -> bool:
        return not self.errors


def do_import_scans(organisation, upload, *, user=None, office=None, device: str = "",
                    now: dt.datetime | None = None) -> BulkReport:
    """Read, check and record a scan file. FileRefused when the file itself is unreadable; otherwise a report
    whose ``errors`` name every faulty line (then nothing was stored) or whose counts say what was stored."""
    now = now or timezone.now()
    lines, inputs, errors = read_scan_file(upload)
    report = BulkReport(rows=len(inputs) + len(errors))
    # Rows whose cells are fine are checked as events too, so that one upload shows every fault at once.
    _, refused = tracking.validate(organisation, [i for _, i in inputs], now=now, office=office,
                                   source=EventSource.BULK)
    errors.extend(RowError(inputs[e.row - 1][0], e.code, e.message) for e in refused)
    if errors:
        report.errors = sorted(errors, key=lambda e: (e.row, e.code))
        return report
    try:
        result = tracking.record_events(organisation, [i for _, i in inputs], source=EventSource.BULK, user=user,
                                        office=office, device=device, now=now)
    except EventsRefused as exc:  # the items changed between the check and the write
        report.errors = [RowError(inputs[e.row - 1][0], e.code, e.message) for e in exc.errors]
        return report
    report.created, report.duplicates = len(result.created), result.duplicates
    report.flagged, report.items = result.flagged, len(result.items)
    return report


def read_scan_file(upload) -> tuple[list[int], list[tuple[int, EventInput]], list[RowError]]:
    """(line numbers, [(line, event)], [errors by line]) of a CSV or XLSX scan file."""
    table = _read_table(upload)
    header_line = next((n for n, row in enumerate(table) if any(c.strip() for c in row)), None)
    if header_line is None:
        raise FileRefused(_("The file has no rows."))
    columns = {}
    unknown = []
    for index, name in enumerate(table[header_line]):
        key = ALIASES.get(name.strip().lower().replace(" ", "_"))
        if key:
            columns.setdefault(key, index)
        elif name.strip():
            unknown.append(name.strip()[:40])
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise FileRefused(_("The first line must name the columns; missing: %(columns)s.")
                          % {"columns": ", ".join(missing)})
    if unknown:
        raise FileRefused(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown[:10])})
    body = table[header_line + 1:]
    if len(body) > MAX_ROWS:
        raise FileRefused(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
    lines, inputs, errors = [], [], []
    for offset, row in enumerate(body):
        line = header_line + offset + 2
        if not any(c.strip() for c in row):
            continue
        lines.append(line)
        event, problems = _row(row, columns)
        if problems:
            errors.extend(RowError(line, code, message) for code, message in problems)
        else:
            inputs.append((line, event))
    if not lines:
        raise FileRefused(_("The file has a header but no scans."))
    return lines, inputs, errors


def _row(row: list[str], columns: dict[str, int]) -> tuple[EventInput | None, list[tuple[str, str]]]:
    def cell(name):
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    problems = []
    values = {}
    for name, limit in LIMITS.items():
        value = cell(name)
        if len(value) > limit or "\x00" in value:
            problems.append(("too_long", _("%(column)s: at most %(max)d characters.") % {"column": name, "max": limit}))
        values[name] = value
    for name in REQUIRED:
        if not cell(name):
            problems.append(("missing", _("%(column)s is empty.") % {"column": name}))
    when = None
    if cell("occurred_at"):
        when = parse_time(cell("occurred_at"))
        if when is None:
            problems.append(("bad_time", _("“%(value)s” is not a date and time (01/03/2026 14:05 or ISO 8601).")
                             % {"value": cell("occurred_at")[:30]}))
    position = {}
    for name, bound in (("latitude", 90), ("longitude", 180)):
        raw = cell(name).replace(",", ".")
        position[name] = None
        if raw:
            try:
                position[name] = Decimal(raw).quantize(Decimal("0.000001"))
                if not position[name].is_finite() or abs(position[name]) > bound:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                problems.append(("bad_position", _("%(column)s: “%(value)s” is not a valid coordinate.")
                                 % {"column": name, "value": raw[:20]}))
    if problems:
        return None, problems
    return EventInput(
        number=values["number"], code=values["code"].upper(), occurred_at=when, office_code=values["office_code"],
        device=values["device"], latitude=position["latitude"], longitude=position["longitude"],
        reason_code=values["reason_code"], action_code=values["action_code"], signatory=values["signatory"],
        external_id=values["external_id"],
    ), []


def parse_time(raw: str) -> dt.datetime | None:
    text = raw.strip()
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        value = None
        for fmt in LOCAL_FORMATS:
            try:
                value = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if value is None or value.year < 1990:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _read_table(upload) -> list[list[str]]:
    upload.seek(0)
    try:
        return read_table(upload.read(), max_bytes=MAX_BYTES, max_rows=MAX_ROWS, datetimes="datetime")
    except ValidationError as exc:
        raise FileRefused(exc.messages) from exc


