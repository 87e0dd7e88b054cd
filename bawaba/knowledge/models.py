"""Knowledge base: short help articles for citizens, one row per language, linked by a translation key.

Writes go through `services.do_save_article` / `do_delete_article`, which keep the full-text index
(`search.py`) in step with the row in the same transaction.
"""

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    FR = "fr", _("French")
    AR = "ar", _("Arabic")
    EN = "en", _("English")


class Article(models.Model):
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.CASCADE,
        related_name="articles",
        verbose_name=_("organisation"),
        help_text=_("The operator the article is about, or the shared centre for general articles."),
    )
    service = models.ForeignKey(
        "orgs.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("service"),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FR)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=120, allow_unicode=True, blank=True,
        help_text=_("Part of the web address. Left empty, it is made from the title."),
    )
    summary = models.CharField(_("summary"), max_length=400, help_text=_("One or two sentences shown in lists."))
    body = models.TextField(
        _("body"), help_text=_("Plain text. Leave an empty line between paragraphs; HTML is shown as typed.")
    )
    tags = models.CharField(
        _("keywords"), max_length=400, blank=True,
        help_text=_("Comma-separated words citizens use for this problem, including Darija, to help search."),
    )
    translation_key = models.SlugField(
        _("translation key"), max_length=80, blank=True,
        help_text=_("The same key on the French, Arabic and English versions links them together."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # PostgreSQL only: weighted tsvector kept by bawaba.knowledge.search (GIN index added by migration).
    # Stays empty on SQLite, where the FTS5 table knowledge_article_fts holds the index.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["language", "is_published"], name="knowledge_lang_pub_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "language"],
                condition=~Q(translation_key=""),
                name="knowledge_one_article_per_language",
                violation_error_message=_("Another article already has this translation key in this language."),
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # A plain save of a loaded row must not blank the PostgreSQL search vector the service wrote.
        if not self._state.adding and self.pk and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "search_vector"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", kwargs={"pk": self.pk, "slug": self.slug or "article"})

    @property
    def direction(self) -> str:
        return "rtl" if self.language == Language.AR else "ltr"

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]

    def clean(self):
        if self.service_id and self.organisation_id and self.service.organisation_id != self.organisation_id:
            raise ValidationError({"service": _("The service must belong to the article's organisation.")})
