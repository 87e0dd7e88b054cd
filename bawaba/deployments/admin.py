"""Admin: set-up data is editable; evidence, decisions and issued documents are read-only (audit)."""

from django.contrib import admin

from .models import (
    BillingLine,
    Contract,
    DeploymentEvent,
    FieldReport,
    Payment,
    PaymentStatement,
    Photo,
    PriceItem,
    PriceSchedule,
    PriceScheduleVersion,
    Programme,
    ReportedItem,
    RuleSet,
    Site,
    WorkItem,
    WorkOrder,
    WorkStatement,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "description", "created_at"]


class PriceItemInline(admin.TabularInline):
    model = PriceItem
    extra = 0


@admin.register(PriceSchedule)
class PriceScheduleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "operator", "currency"]


@admin.register(PriceScheduleVersion)
class PriceScheduleVersionAdmin(admin.ModelAdmin):
    list_display = ["schedule", "version", "valid_from"]
    inlines = [PriceItemInline]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "operator", "kind", "target_homes_passed", "target_homes_connected",
                    "target_sites"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["reference", "programme", "contractor", "price_schedule_version", "retention_rate", "is_active"]
    list_filter = ["programme", "is_active"]
    filter_horizontal = ["wilayas"]
    search_fields = ["reference", "contractor__name_fr"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "name", "region", "latitude", "longitude", "homes"]
    list_filter = ["kind", "region"]
    search_fields = ["code", "name"]
    raw_id_fields = ["commune"]


class WorkItemInline(admin.TabularInline):
    model = WorkItem
    extra = 0
    readonly_fields = ["accepted_quantity", "state"]


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ["reference", "contract", "site", "kind", "state", "steps_done", "due_on"]
    list_filter = ["state", "kind", "contract__programme"]
    search_fields = ["reference", "site__code"]
    raw_id_fields = ["site", "contract"]
    readonly_fields = ["state", "steps_done", "started_at", "completed_at"]
    inlines = [WorkItemInline]


class ReportedItemInline(admin.TabularInline):
    model = ReportedItem
    extra = 0
    can_delete = False
    readonly_fields = ["work_item", "quantity", "decision", "reasons", "decided_at", "decided_by"]


@admin.register(FieldReport)
class FieldReportAdmin(ReadOnlyAdmin):
    list_display = ["client_uuid", "work_order", "contractor", "received_at", "ont_serial"]
    search_fields = ["client_uuid", "work_order__reference", "ont_serial"]
    inlines = [ReportedItemInline]


@admin.register(Photo)
class PhotoAdmin(ReadOnlyAdmin):
    list_display = ["sha256", "report", "content_type", "size", "exif_taken_at", "reused_from"]
    search_fields = ["sha256"]


@admin.register(BillingLine)
class BillingLineAdmin(ReadOnlyAdmin):
    list_display = ["contract", "work_order", "price_item", "quantity", "unit_price", "amount", "accepted_at",
                    "work_statement"]
    list_filter = ["contract__programme"]


@admin.register(WorkStatement)
class WorkStatementAdmin(ReadOnlyAdmin):
    list_display = ["number", "contract", "period_start", "period_end", "period_amount", "cumulative_amount"]
    search_fields = ["number"]


@admin.register(PaymentStatement)
class PaymentStatementAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "contract", "gross_amount", "net_amount", "issued_at", "due_on"]
    search_fields = ["number"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["statement", "amount", "paid_on", "reference"]


@admin.register(DeploymentEvent)
class DeploymentEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "actor", "organisation", "work_order"]
    list_filter = ["kind"]
