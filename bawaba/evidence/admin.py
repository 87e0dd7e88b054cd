"""Evidence in the admin: to read only. Nothing can be added, changed or deleted here (the models refuse a
deletion before the end of the retention anyway)."""

from django.contrib import admin

from .models import EvidenceBatch, EvidenceRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(EvidenceRecord)
class EvidenceRecordAdmin(ReadOnlyAdmin):
    list_display = ("subject", "seq", "event", "at", "actor_id", "sealed_at", "batch")
    list_filter = ("event",)
    search_fields = ("subject", "record_hash", "actor_id")
    list_select_related = ("batch",)
    show_full_result_count = False


@admin.register(EvidenceBatch)
class EvidenceBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "root", "size", "created_at", "stamped_at", "tsa", "attempts", "last_error")
    exclude = ("token",)
    show_full_result_count = False
