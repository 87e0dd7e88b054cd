"""Citizen portal: server-rendered pages that work without JavaScript on cheap phones.

Views parse and check input, call one servicedesk service or selector, and render. What a session may
see is kept in `request.session[GRANTS]`: a request's reference is granted right after its submission
or after a successful reference + phone check, for GRANT_SECONDS (sliding), never by the URL alone.
"""

from __future__ import annotations

import logging
import math
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.decorators import ratelimit

from bawaba.core.phones import display as display_phone
from bawaba.core.references import normalise_reference
from bawaba.orgs.models import Organisation, OrganisationKind, Service
from bawaba.orgs.services import sla_targets
from bawaba.servicedesk.models import Attachment, MessageKind, Request, Status
from bawaba.servicedesk.selectors import find_for_citizen, public_messages
from bawaba.servicedesk.services import TransitionNotAllowed, do_citizen_message

from .forms import MessageForm, RequestForm, TrackForm, add_service_errors
from .services import do_submit_web_request, submitted_request

log = logging.getLogger(__name__)

GRANTS = "portal_grants"
GRANT_SECONDS = 30 * 60
MAX_GRANTS = 20
MESSAGE_TOKEN_SECONDS = 60 * 60
WORKING_DAY_MINUTES = 8 * 60  # the unit SLA targets are written in (orgs.models.DEFAULT_SLA)
SUGGESTION_LIMIT = 5
# Messages hold up to 5,000 characters (10 KB of UTF-8 in Arabic): five a page, plus the original
# text and the answer form, keep the page under 100 KB in the worst case (tests/test_pages.py).
MESSAGES_PER_PAGE = 5


def public_form_rate(group, request):
    """Read at request time so settings (and tests) can change it."""
    return settings.PUBLIC_FORM_RATE


limit_posts = ratelimit(key="ip", rate=public_form_rate, method="POST", block=True)


# --- What this browser session may see -------------------------------------------------------------

def _grant(request, reference: str) -> None:
    now = time.time()
    grants = {ref: at for ref, at in request.session.get(GRANTS, {}).items() if now - at < GRANT_SECONDS}
    grants[reference] = now
    request.session[GRANTS] = dict(sorted(grants.items(), key=lambda item: item[1])[-MAX_GRANTS:])


def _is_granted(request, reference: str | None) -> bool:
    at = request.session.get(GRANTS, {}).get(reference) if reference else None
    return at is not None and time.time() - at < GRANT_SECONDS


def _granted_request(request, reference: str) -> Request | None:
    canonical = normalise_reference(reference)
    if not _is_granted(request, canonical):
        return None
    _grant(request, canonical)
    return get_object_or_404(
        Request.objects.select_related("service", "organisation", "region", "commune", "merged_into"),
        reference=canonical,
    )


def _ask_for_phone(request, reference: str):
    """Not (or no longer) granted: the tracking form, with the reference filled in."""
    canonical = normalise_reference(reference) or ""
    messages.info(request, _("Enter your phone number to see this request."))
    return redirect(f"{reverse('portal:track')}?{urlencode({'reference': canonical})}")


# --- Pages ------------------------------------------------------------------------------------------

def home(request):
    operators = Organisation.objects.filter(kind=OrganisationKind.OPERATOR, is_active=True).prefetch_related(
        Prefetch("services", queryset=Service.objects.filter(is_public=True, is_active=True).order_by("code"))
    )
    return render(request, "portal/home.html", {"operators": operators})


@limit_posts
def submit(request):
    """Step 1 (write) -> step 2 (suggested articles, commune, files, confirm) -> receipt."""
    if request.method != "POST":
        return _render_write(request, RequestForm(initial={"token": uuid.uuid4()}))

    action = request.POST.get("action", "continue")
    if action == "answered":
        return render(request, "portal/submit_answered.html")

    data = request.POST.copy()
    token = _valid_uuid(data.get("token"))
    if token is None:
        # A lost or altered hidden token: carry on with a fresh one, nothing was created with it.
        token = uuid.uuid4()
        data["token"] = str(token)
        if action == "submit":
            action = "continue"

    if action == "edit":
        initial = {name: data.get(name, "") for name in RequestForm.base_fields if name != "attachments"}
        return _render_write(request, RequestForm(initial=initial))

    if action == "submit":
        already = submitted_request(token)
        if already is not None:  # a second press of the button or a reloaded POST: the same receipt
            _grant(request, already.reference)
            return redirect("portal:receipt", reference=already.reference)

    form = RequestForm(data, request.FILES if action == "submit" else None)
    if not form.is_valid():
        if _only_step2_errors(form) and action == "submit":
            return _render_confirm(request, form, status=400)
        return _render_write(request, form, status=400)
    if action != "submit":
        return _render_confirm(request, form)

    cleaned = form.cleaned_data
    try:
        created, _was_new = do_submit_web_request(
            token=cleaned["token"],
            citizen_phone=cleaned["phone"],
            citizen_name=cleaned["name"],
            citizen_email=cleaned["email"],
            region=cleaned["region"],
            commune=cleaned["commune"],
            category=cleaned["category"],
            subject=cleaned["subject"],
            text=cleaned["description"],
            language=translation.get_language() or "",
            attachments=cleaned["attachments"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        if _only_step2_errors(form):
            return _render_confirm(request, form, status=400)
        return _render_write(request, form, status=400)
    _grant(request, created.reference)
    return redirect("portal:receipt", reference=created.reference)


def _valid_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _only_step2_errors(form) -> bool:
    """Errors the confirmation step can show (files, commune); anything else goes back to step 1."""
    return bool(form.errors) and set(form.errors) <= {"attachments", "commune"}


def _render_write(request, form, status=200):
    return render(request, "portal/submit_write.html", {"form": form}, status=status)


def _render_confirm(request, form, status=200):
    cleaned = form.cleaned_data
    category = dict(_flat_choices(form.fields["category"].choices)).get(cleaned.get("category", ""), "")
    text = f"{cleaned.get('subject', '')}\n{cleaned.get('description', '')}"
    context = {
        "form": form,
        "phone": cleaned.get("phone", ""),
        "region": cleaned.get("region"),
        "category_label": category,
        "suggestions": _suggestions(text, translation.get_language() or ""),
        "hidden_fields": [form[name] for name in ("token", "phone", "name", "email", "region", "category",
                                                  "subject", "description")],
    }
    return render(request, "portal/submit_confirm.html", context, status=status)


def _flat_choices(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield value, label


def _suggestions(text: str, language: str) -> list[dict]:
    """Knowledge-base articles for the citizen's text, or none if the knowledge base is unavailable."""
    try:
        from bawaba.knowledge.services import suggest_articles
    except ImportError:
        return []
    try:
        found = suggest_articles(text, language=language, limit=SUGGESTION_LIMIT)
    except Exception:  # a search failure must never stop a citizen from sending a request
        log.exception("knowledge-base suggestions failed")
        return []
    articles = []
    for item in list(found or [])[:SUGGESTION_LIMIT]:
        article = item[0] if isinstance(item, list | tuple) else item
        url = article.get_absolute_url() if hasattr(article, "get_absolute_url") else ""
        summary = getattr(article, "summary", "") or getattr(article, "excerpt", "")
        articles.append({"title": getattr(article, "title", str(article)), "url": url, "summary": summary})
    return articles


def duration_words(minutes: int) -> str:
    """An SLA target in words a citizen understands: minutes, working hours or working days."""
    if minutes < 60:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if minutes < WORKING_DAY_MINUTES:
        hours = math.ceil(minutes / 60)
        return ngettext("%(count)d working hour", "%(count)d working hours", hours) % {"count": hours}
    days = math.ceil(minutes / WORKING_DAY_MINUTES)
    return ngettext("%(count)d working day", "%(count)d working days", days) % {"count": days}


def receipt(request, reference):
    req = _granted_request(request, reference)
    if req is None:
        return _ask_for_phone(request, reference)
    targets = sla_targets(req.organisation, req.priority)
    return render(request, "portal/receipt.html", {
        "req": req,
        "phone": display_phone(req.citizen_phone),
        "first_response": duration_words(targets[0]) if targets else "",
        "resolution": duration_words(targets[1]) if targets else "",
    })


@limit_posts
def track(request):
    """Reference + phone: both must match. Every mismatch gets the same answer (no enumeration)."""
    if request.method != "POST":
        form = TrackForm(initial={"reference": request.GET.get("reference", "")[:32]})
        return render(request, "portal/track.html", {"form": form})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/track.html", {"form": form}, status=400)
    req = find_for_citizen(form.cleaned_data["reference"], form.cleaned_data["phone"])
    if req is None:
        form.add_error(None, _("We found no request with this reference and this phone number. "
                               "Check both and try again."))
        return render(request, "portal/track.html", {"form": form}, status=404)
    _grant(request, req.reference)
    return redirect("portal:request", reference=req.reference)


@limit_posts
def request_detail(request, reference):
    req = _granted_request(request, reference)
    if req is None:
        return _ask_for_phone(request, reference)
    status = 200
    form = MessageForm(initial={"token": uuid.uuid4()})
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            sent = _send_citizen_message(request, req, form)
            if sent:
                return redirect("portal:request", reference=req.reference)
            status = 409 if form.has_error("__all__", "closed") else 400
        else:
            status = 400
    return _render_detail(request, req, form, status)


def _send_citizen_message(request, req, form) -> bool:
    # One message per form token: a double tap on "Send" on a slow network stores it once.
    key = f"portal:message:{form.cleaned_data['token'] or uuid.uuid4()}"
    if not cache.add(key, req.pk, MESSAGE_TOKEN_SECONDS):
        return True
    try:
        do_citizen_message(req, form.cleaned_data["body"], attachments=form.cleaned_data["attachments"])
    except ValidationError as exc:
        cache.delete(key)
        add_service_errors(form, exc)
        return False
    except TransitionNotAllowed as exc:
        cache.delete(key)
        form.add_error(None, ValidationError(exc.message, code="closed"))
        return False
    except BaseException:
        cache.delete(key)  # not stored: sending the same form again must store it, not answer "sent"
        raise
    messages.success(request, _("Your message has been sent. You will see the answer on this page."))
    return True


def _render_detail(request, req, form, status=200):
    # Page 1 holds the latest messages, shown oldest first; "older messages" leads to page 2 and on.
    conversation = (
        public_messages(req).select_related("organisation").prefetch_related("attachments")
        .order_by("-created_at", "-id")
    )
    page = Paginator(conversation, MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    merged_into = req.merged_into
    if merged_into is not None and merged_into.citizen_phone != req.citizen_phone:
        merged_into = None  # another citizen's request: say it was merged, not where
    return render(request, "portal/request.html", {
        "req": req,
        "form": form,
        "page": page,
        "conversation": list(reversed(page.object_list)),
        "files": req.attachments.filter(message__isnull=True),
        "waiting": req.status == Status.WAITING,
        "closed": req.status == Status.CLOSED,
        "merged_into": merged_into,
        "phone": display_phone(req.citizen_phone),
    }, status=status)


def attachment(request, reference, pk):
    """A file of the citizen's own request (theirs or a public reply's); never an internal note's."""
    canonical = normalise_reference(reference)
    if not _is_granted(request, canonical):
        raise Http404
    item = get_object_or_404(
        Attachment.objects.select_related("message").exclude(message__kind=MessageKind.INTERNAL_NOTE),
        pk=pk, request__reference=canonical,
    )
    try:
        handle = item.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    return FileResponse(
        handle, as_attachment=True, filename=item.original_name, content_type=item.content_type
    )
