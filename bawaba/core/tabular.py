"""Reading the tables people upload: CSV (UTF-8, Windows-1256 or Windows-1252, detected by bawaba.core.charsets;
separator ; , or tab) or XLSX (first sheet), as rows of text cells. Work orders, postal offices, scans and
pensioners are all imported through here, so an Arabic file saved by Excel in Windows-1256 is read right, or
refused with the line that cannot be read, everywhere — never stored garbled.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bawaba.core import charsets


@dataclasses.dataclass(frozen=True)
class RowError:
    """One refused row of an upload or of a batch sent by an API: ``row`` is the line in the file (the header
    being line 1) or the 1-based position in the batch (0: the file as a whole); ``column`` names the column at
    fault or, where rows have no columns, a short code an API client can act on; ``message`` is translated."""

    row: int
    column: str
    message: str

    @property
    def code(self) -> str:
        return self.column

    def as_dict(self) -> dict:
        return {"row": self.row, "code": self.column, "message": self.message}


@dataclasses.dataclass
class ImportResult:
    """What an import did, or why it did nothing: imports store every row or none."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A small XLSX may unzip to gigabytes (a "zip bomb"): refuse what would not fit in memory once unpacked.
XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024


def read_table(data: bytes | str, *, max_bytes: int, max_rows: int, datetimes: str = "date") -> list[list[str]]:
    """The cells of the file, header row first. ``datetimes``: how an XLSX date-and-time cell is written —
    "date" (2026-12-06) or "datetime" (2026-12-06 14:30:00). Raises ValidationError with a translated reason."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data:
        raise ValidationError(_("The file is empty."))
    if len(data) > max_bytes:
        raise ValidationError(_("The file is larger than %(mb)s MB; split it.") % {"mb": max_bytes // 1024 // 1024})
    if data[:4] == XLSX_MAGIC:
        return _read_xlsx(data, max_rows=max_rows, datetimes=datetimes)
    if data[:8] == XLS_MAGIC:
        raise ValidationError(_("Old Excel files (.xls) are not supported: save as .xlsx or CSV."))
    if b"\x00" in data:
        raise ValidationError(_("This is not a CSV or XLSX file."))
    try:
        text, _encoding = charsets.decode(data)
    except charsets.UndecidableEncoding as exc:
        raise ValidationError(_(
            "The characters of this file (line %(line)s) cannot be read with certainty as UTF-8, Windows-1256 "
            "(Arabic) or Windows-1252 (French), so nothing was imported rather than garbled text: in Excel, save "
            "it as “CSV UTF-8” or as XLSX.") % {"line": exc.line or 1}) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise ValidationError(_("The CSV file cannot be read: %(error)s") % {"error": str(exc)[:100]}) from exc


def _cell(value, datetimes: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if datetimes == "date" else value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, *, max_rows: int, datetimes: str) -> list[list[str]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > XLSX_MAX_UNCOMPRESSED:
                raise ValidationError(_("The XLSX file is too large once uncompressed; split it."))
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError(_("The XLSX file cannot be read.")) from exc
    rows = []
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append([_cell(value, datetimes) for value in values])
            if len(rows) > max_rows + 1:  # the caller says "too many rows"; no need to read the rest
                break
    finally:
        workbook.close()
    return rows
