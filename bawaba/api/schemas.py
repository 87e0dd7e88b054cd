"""Request and response bodies of the service desk API (descriptions are for developers: English)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, field_validator
from pydantic_core import PydanticCustomError

StatusValue = Literal["new", "assigned", "in_progress", "waiting", "resolved", "closed", "reopened"]
PriorityValue = Literal["low", "normal", "high", "urgent"]
ChannelValue = Literal["phone", "web", "email", "sms", "ussd", "counter", "api"]
LanguageValue = Literal["", "fr", "ar", "en"]
Ordering = Literal["-created_at", "created_at", "-updated_at", "updated_at"]

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value):
    """Only an ISO 8601 date and time with its offset: organisations work in several time zones, and
    pydantic would otherwise also take numbers ("0.5") as Unix times."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.match(value.strip()):
        raise PydanticCustomError("datetime_parsing", "Input should be an ISO 8601 date and time with an offset")
    return value.strip()


def _utc(value: dt.datetime) -> dt.datetime:
    # Any offset Python accepts (up to ±23:59) is turned into UTC, which every database stores.
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise PydanticCustomError("datetime_parsing", "Date and time out of range") from None


DateTimeParam = Annotated[dt.datetime, BeforeValidator(_rfc3339), AfterValidator(_utc)]
NonBlank = r"\S"  # at least one character that is not white space


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the language of Accept-Language.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages by field (body field, query parameter or header name)."
    )


# --------------------------------------------------------------------------- inputs


class Input(Schema):
    """Base of every input: text with NUL characters is refused (PostgreSQL cannot store it)."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise PydanticCustomError("string_nul", "Null characters are not allowed")
        return value



class RequestIn(Input):
    subject: str = Field(min_length=1, max_length=200, pattern=NonBlank, description="Short summary.")
    text: str = Field(min_length=1, max_length=5000, pattern=NonBlank, description="The citizen's request.")
    citizen_phone: str = Field("", max_length=40, description="Any usual form; stored in E.164. Required "
                               "unless the channel is email and citizen_email is given.")
    citizen_name: str = Field("", max_length=160)
    citizen_email: str = Field("", max_length=254)
    channel: ChannelValue = Field("api", description="How the citizen reached the integration.")
    category: str = Field("", max_length=80, description="Service code the citizen chose, if any (a hint).")
    priority: PriorityValue = "normal"
    service: str | None = Field(
        None, max_length=80,
        description="Code of one of your organisation's active services. Omit it to let routing decide "
                    "(the request may then go to another organisation).",
    )
    region_code: str | None = Field(None, max_length=12, description="Wilaya code, e.g. \"16\" for Alger.")
    commune_id: int | None = Field(None, ge=1, le=2_147_483_647, description="Commune id (geo.Commune).")
    language: LanguageValue = Field("", description="The citizen's language, if known.")


class CommentIn(Input):
    body: str = Field(min_length=1, max_length=5000, pattern=NonBlank)
    public: bool = Field(False, description="true: a reply the citizen sees; false (default): an internal note.")
    wait_for_citizen: bool = Field(
        False, description="With a public reply: put the request in \"waiting\" (SLA paused).",
    )


class TransitionIn(Input):
    status: StatusValue
    reason: str = Field("", max_length=1000)


class AssignIn(Input):
    assignee: str | None = Field(
        max_length=150, description="Username of active staff of the owning organisation; null to unassign.",
    )


class TransferIn(Input):
    service: str = Field(min_length=1, max_length=80, description="Code of the receiving service (any organisation).")
    reason: str = Field(min_length=1, max_length=1000, pattern=NonBlank)


class PriorityIn(Input):
    priority: PriorityValue
    reason: str = Field("", max_length=1000)


# --------------------------------------------------------------------------- outputs


class RequestOut(Schema):
    reference: str
    organisation: str = Field(description="Slug of the organisation that owns the request now.")
    service: str = Field(description="Service code.")
    service_name: str
    queue: str
    channel: str
    category: str
    status: str
    status_label: str
    priority: str
    subject: str
    text: str
    citizen_name: str
    citizen_phone: str
    citizen_email: str
    region_code: str | None
    commune_id: int | None
    commune_name: str | None
    language: str
    assignee: str | None = Field(description="Username of the assignee.")
    merged_into: str | None = Field(description="Reference of the request this one was merged into.")
    routing_method: str
    routing_confidence: float | None
    read_only: bool = Field(description="true when the request was transferred away from your organisation.")
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    sla_paused: bool


class AttachmentOut(Schema):
    name: str
    content_type: str
    size: int
    sha256: str
    created_at: dt.datetime


class MessageOut(Schema):
    id: int
    kind: str = Field(description="reply (public), note (internal) or citizen.")
    public: bool
    body: str
    author: str | None = Field(description="Username of the member of staff; null for the citizen.")
    organisation: str | None
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class EventOut(Schema):
    kind: str
    label: str
    actor: str | None
    organisation: str | None
    data: dict[str, Any]
    at: dt.datetime


class RequestDetailOut(RequestOut):
    messages: list[MessageOut]
    attachments: list[AttachmentOut]
    history: list[EventOut]


class RequestPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RequestOut]


class ServiceOut(Schema):
    code: str
    name: str
    organisation: str
    is_public: bool
    is_orientation: bool
    mine: bool = Field(description="true for your organisation's services (usable as `service` on create).")


class ServicePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ServiceOut]


# --------------------------------------------------------------------------- query strings


class RequestFilters(Input):
    status: StatusValue = Field(None, description="One status.")
    open: bool = Field(None, description="true: only open requests; false: only resolved and closed ones.")
    service: str = Field(None, max_length=80, description="Service code.")
    channel: ChannelValue = Field(None)
    priority: PriorityValue = Field(None)
    assignee: str = Field(None, max_length=150, description="Username of the assignee; \"none\": unassigned.")
    created_after: DateTimeParam = Field(None, description="Created at or after this time, e.g. "
                                         "2026-11-23T08:00:00+01:00 (the offset is required).")
    created_before: DateTimeParam = Field(None, description="Created before this time.")
    updated_after: DateTimeParam = Field(None, description="Changed after this time (to synchronise).")
    q: str = Field(None, max_length=100, description="Text in the subject, or (part of) a reference.")
    region_code: str = Field(None, max_length=12, description="Wilaya code, e.g. \"16\".")
    ordering: Ordering = "-created_at"
    limit: int = Field(20, ge=1, le=100, description="At most 100.")
    offset: int = Field(0, ge=0, le=10_000_000)


class ServiceFilters(Input):
    mine: bool = Field(False, description="true: only your organisation's services.")
    limit: int = Field(100, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000_000)
