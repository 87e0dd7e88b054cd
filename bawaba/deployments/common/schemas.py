"""API schemas. Work orders follow TM Forum TMF697 naming (camelCase, `state`, `workOrderItem`, `place`)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from ninja import Schema
from pydantic import Field, PlainSerializer


def _two_decimals(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# An amount in dinars: always a string with two decimals ("12480.00"), whatever the database returned
# (SQLite gives "0" or "12480" for sums and computed values, PostgreSQL its column's scale).
Money = Annotated[Decimal, PlainSerializer(_two_decimals, return_type=str)]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class PriceItemOut(Schema):
    code: str
    label: str
    unit: str
    unitPrice: Money
    step: str


class WorkOrderItemOut(Schema):
    id: int
    quantity: Decimal
    acceptedQuantity: Decimal
    remainingQuantity: Decimal
    state: str
    priceItem: PriceItemOut


class PlaceOut(Schema):
    id: str
    role: str = "installationSite"
    name: str
    kind: str
    latitude: Decimal
    longitude: Decimal
    wilaya: str
    commune: str | None = None
    homes: int


class RelatedPartyOut(Schema):
    id: str
    role: str
    name: str


class StepOut(Schema):
    current: str | None
    currentLabel: str
    done: int
    total: int


class WorkOrderOut(Schema):
    id: str
    href: str
    category: str
    state: str
    stateLabel: str
    description: str
    orderDate: dt.datetime
    requestedStartDate: dt.date | None = None
    requestedCompletionDate: dt.date | None = None
    startDate: dt.datetime | None = None
    completionDate: dt.datetime | None = None
    contract: str
    step: StepOut
    place: PlaceOut
    relatedParty: list[RelatedPartyOut]
    workOrderItem: list[WorkOrderItemOut]


class WorkOrderPage(Schema):
    count: int
    items: list[WorkOrderOut]


class StateChangeIn(Schema):
    state: str
    reason: str = ""


class AcceptanceOut(Schema):
    id: int
    workOrder: str
    report: str
    workItem: int
    priceItem: str
    quantity: Decimal
    decision: str
    decisionLabel: str
    reasons: list[str]
    reasonCodes: list[str]
    automatic: bool
    decidedAt: dt.datetime | None = None
    inspectorNote: str = ""


class AcceptancePage(Schema):
    count: int
    items: list[AcceptanceOut]


class PhotoOut(Schema):
    sha256: str
    contentType: str
    size: int
    takenAt: dt.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    reused: bool


class ReportOut(Schema):
    id: str
    workOrder: str
    receivedAt: dt.datetime
    deviceReportedAt: dt.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    gpsAccuracyM: Decimal | None = None
    ontSerial: str
    ontRxPowerDbm: Decimal | None = None
    linkLossDb: Decimal | None = None
    spliceLossesDb: list[Decimal]
    photos: list[PhotoOut]
    items: list[AcceptanceOut]


class ReportPage(Schema):
    count: int
    items: list[ReportOut]


class ReportIn(Schema):
    """Multipart form fields of a field report (photos are sent as files named `photos`)."""

    client_uuid: str | None = None
    items: str = Field(description='JSON list: [{"work_item": 12, "quantity": "1"}]')
    latitude: str | None = None
    longitude: str | None = None
    gps_accuracy_m: str | None = None
    device_started_at: str | None = None
    device_reported_at: str | None = None
    ont_serial: str = ""
    ont_rx_power_dbm: str | None = None
    link_loss_db: str | None = None
    splice_losses_db: str = Field("", description="Two-way averages in dB separated by ';' or a JSON list")
    notes: str = ""


class InspectIn(Schema):
    note: str = ""


class RejectIn(Schema):
    reason: str


class IncentiveOut(Schema):
    """A bonus of the contract's incentive rules awarded on a statement (bawaba.deployments.incentives)."""

    kind: str = Field(description="first_time_right or early_completion")
    label: str
    amount: Money
    explanation: str = Field(description="how it was computed, in the reader's language")


class StatementOut(Schema):
    number: str
    kind: str
    contract: str
    contractor: str
    issuedAt: dt.datetime
    periodStart: dt.date | None = None
    periodEnd: dt.date | None = None
    workStatement: str | None = None
    corrects: str | None = None
    grossAmount: Money
    retentionAmount: Money
    advanceRecoveryAmount: Money
    penaltyAmount: Money = Field(description="late penalties charged on this statement")
    penaltyDueAmount: Money = Field(description="late penalties of the work orders completed in the period")
    penaltyCarriedInAmount: Money = Field(description="due on earlier statements, not charged then")
    penaltyContractCapAmount: Money | None = Field(None, description="cap over the contract")
    penaltyChargedToDateAmount: Money = Field(description="charged over the contract, this statement included")
    penaltyCarriedAmount: Money = Field(description="carried to the next statements")
    penaltyWaivedAmount: Money = Field(description="beyond the cap over the contract: never charged")
    bonusAmount: Money = Field(description="incentive bonuses paid with the statement (in the VAT base and net)")
    taxableAmount: Money
    vatRate: Decimal
    vatAmount: Money
    netAmount: Money
    amountInWordsFr: str
    amountInWordsAr: str
    dueOn: dt.date
    paidAmount: Money
    outstandingAmount: Money
    daysToPay: int | None = None
    lateInterest: Money
    currency: str = Field("DZD", description="ISO 4217 code of every amount: the contract's (DZD, XAF)")
    pdf: str
    ubl: str
    incentives: list[IncentiveOut] = Field(default_factory=list, description="only on GET /statement/{number}")


class StatementPage(Schema):
    count: int
    items: list[StatementOut]


class RunningLineOut(Schema):
    workOrder: str
    priceItem: str
    quantity: Decimal
    unitPrice: Money
    amount: Money
    acceptedAt: dt.datetime


class RunningStatementOut(Schema):
    contract: str
    unbilledAmount: Money
    unbilledCount: int
    billedAmount: Money
    cumulativeAmount: Money
    lastStatement: str | None = None
    latestLines: list[RunningLineOut]


class ProgressOut(Schema):
    wilaya: str
    wilayaName: str
    homesPassed: int
    homesConnected: int
    sitesConnected: int
    workOrders: int
    completed: int
    late: int
    acceptedAmount: Money


# --------------------------------------------------------------------------- billing manager and import (writes)


class IssueIn(Schema):
    """Issue the statements of one month: one contract, or every active contract of a programme."""

    month: str = Field(description="The month to close, YYYY-MM; it must have ended", examples=["2026-10"])
    programme: str = Field("", description="Programme code: every active contract of the programme")
    contract: str = Field("", description="Contract reference: only this contract")


class IssuedStatementOut(Schema):
    number: str
    contract: str
    contractor: str
    netAmount: Money
    href: str


class IssueOut(Schema):
    periodEnd: dt.date
    count: int
    items: list[IssuedStatementOut]


class PaymentIn(Schema):
    """A payment received; amounts as a string ("12480.00") or a JSON number."""

    amount: Money = Field(description="In the statement's currency (`currency`: DZD, XAF), with no more than its "
                                      "decimals (2, 0: 422 otherwise); not more than what is still due")
    paid_on: str = Field(description="YYYY-MM-DD, between the issue of the statement and today")
    reference: str = Field("", description="Bank transfer or cheque reference (at most 60 characters)")


class PaymentOut(Schema):
    id: int
    statement: str
    amount: Money
    paidOn: dt.date
    reference: str
    recordedAt: dt.datetime
    paidAmount: Money
    outstandingAmount: Money


class CorrectionIn(Schema):
    gross_adjustment: Decimal = Field(description="In the statement's currency (`currency`, no more than its "
                                                  "decimals), negative to reduce the amount of work")
    penalty_adjustment: Decimal = Field(Decimal("0"), description="In the statement's currency (`currency`), "
                                                                  "negative to give penalties back")
    reason: str = Field(description="Printed on the correction")


class RowErrorOut(Schema):
    row: int = Field(description="Line in the file, the header being line 1")
    column: str
    message: str


class ImportErrorOut(ErrorOut):
    """422 of an import: `rows` lists the first errors by line; nothing was stored."""

    errorCount: int = 0
    rows: list[RowErrorOut] = Field(default_factory=list)


class ImportOut(Schema):
    contract: str
    rows: int
    createdSites: int
    reusedSites: int
    createdWorkOrders: int
    createdItems: int
