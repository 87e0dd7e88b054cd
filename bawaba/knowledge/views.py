"""Citizen pages of the knowledge base: the list with its search box, and one article. Server-rendered,
no JavaScript; any query string gives a normal page."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation

from .models import Language
from .selectors import published_articles, related_articles, translations_of
from .services import MAX_QUERY_CHARS, search_articles

PAGE_SIZE = 10
MAX_PAGE = 500
ALL_LANGUAGES = "all"


def _language_choice(raw: str | None) -> str:
    if raw == ALL_LANGUAGES or raw in Language.values:
        return raw
    active = (translation.get_language() or "fr")[:2]
    return active if active in Language.values else Language.FR


def _page_number(raw: str | None) -> int:
    try:
        return min(max(int(raw or 1), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def _endonym(code: str) -> str:
    return translation.get_language_info(code)["name_local"]


def index(request):
    query = " ".join(request.GET.get("q", "").replace("\x00", "").split())[:MAX_QUERY_CHARS]
    language = _language_choice(request.GET.get("language"))
    page = _page_number(request.GET.get("page"))
    selected = None if language == ALL_LANGUAGES else language
    offset = (page - 1) * PAGE_SIZE
    if query:
        # A query searches every language: the chosen language (or the page's) first, then the others.
        first = selected or _language_choice(None)
        articles = search_articles(query, first_language=first, limit=PAGE_SIZE + 1, offset=offset)
    else:
        articles = list(published_articles(selected)[offset : offset + PAGE_SIZE + 1])
    has_next = len(articles) > PAGE_SIZE

    def page_url(number: int) -> str:
        params = {"language": language, "page": number}
        if query:
            params["q"] = query
        return "?" + urlencode(params)

    return render(request, "knowledge/index.html", {
        "query": query,
        "selected_language": language,
        "language_choices": [(code, _endonym(code)) for code in Language.values],
        "articles": articles[:PAGE_SIZE],
        "page": page,
        "previous_url": page_url(page - 1) if page > 1 else "",
        "next_url": page_url(page + 1) if has_next and page < MAX_PAGE else "",
    })


def article(request, pk: int, slug: str):
    found = published_articles().filter(pk=pk).first()
    if found is None:
        raise Http404
    if slug != (found.slug or "article"):
        return redirect(found.get_absolute_url(), permanent=True)
    translations = [(other, _endonym(other.language)) for other in translations_of(found)]
    return render(request, "knowledge/article.html", {
        "article": found,
        "translations": translations,
        "related": related_articles(found),
    })
