"""Articles in the web admin, scoped to the editor's organisation. Saving and deleting go through the
services so the search index always matches what is stored."""

from django.contrib import admin

from bawaba.orgs.admin import OrganisationScopedAdmin
from bawaba.orgs.models import Service

from .models import Article
from .services import do_delete_article, do_save_article


@admin.register(Article)
class ArticleAdmin(OrganisationScopedAdmin):
    list_display = ["title", "language", "organisation", "service", "is_published", "updated_at"]
    list_filter = ["language", "is_published", "organisation"]
    search_fields = ["title", "summary", "tags", "translation_key"]
    list_select_related = ["organisation", "service"]
    fields = ["organisation", "service", "language", "translation_key", "title", "slug", "summary", "body",
              "tags", "is_published"]

    def has_delete_permission(self, request, obj=None):
        # Organisation admins remove their own organisation's articles (the queryset is scoped).
        return self.has_module_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "service" and self._scoped(request):
            kwargs["queryset"] = Service.objects.filter(organisation_id=request.user.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if self._scoped(request):
            obj.organisation_id = request.user.organisation_id
        do_save_article(obj, actor=request.user)

    def delete_model(self, request, obj):
        do_delete_article(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            do_delete_article(article, actor=request.user)
