"""The electronic postal mailbox's pages (/mail/box/): for citizens on cheap phones, server-rendered, no JavaScript,
phone-first, fr/ar/en. Holders and proxies sign in with their phone and an SMS code (bawaba.hybridmail.signin);
staff logins play no part here. Views parse, check the seat, call one function of mailboxes.py, render."""

from __future__ import annotations

import functools

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from bawaba.evidence.services import proof_for

from . import mailboxes, signin
from .mailboxes import MailboxRefused
from .models import Folder, Mailbox, MailboxCode, Proxy

LETTERS_PER_PAGE = 20
OPENED_KEY = "hybridmail_opened"  # letters whose access this session already recorded


def public_form_rate(group, request):
    return settings.PUBLIC_FORM_RATE


limit_posts = ratelimit(key="ip", rate=public_form_rate, method="POST", block=True)


def _language() -> str:
    return (translation.get_language() or "fr")[:2]


def _no_store(response):
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    return response


def seat_required(view):
    """The mailbox pages need a signed-in seat; without one, sign in first and come back."""
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        seat = signin.current(request)
        if seat is None:
            return redirect(f"{reverse('hybridmail:box-signin')}?{urlencode({'next': request.get_full_path()})}")
        request.seat = seat
        request.mailbox = Mailbox.objects.select_related("operator").get(pk=seat.mailbox_id)
        return _no_store(view(request, *args, **kwargs))
    return never_cache(wrapped)


def holder_only(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.seat.proxy_id:
            return render(request, "core/error.html", {"title": _("Access denied"), "message": _(
                "Only the holder of the mailbox can do this.")}, status=403)
        return view(request, *args, **kwargs)
    return wrapped


def _refused(request, template, context, exc, status=None):
    context = {**context, "error": exc.message}
    return render(request, template, context, status=status or exc.status)


# --- Forms -----------------------------------------------------------------------------------------------------

COUNTRIES = [("DZ", gettext_lazy("Algeria")), ("CG", gettext_lazy("Congo"))]


class OpenForm(forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("Country"), choices=COUNTRIES)
    nin = forms.CharField(label=gettext_lazy("National identity number"), max_length=40,
                          help_text=gettext_lazy("As written on your identity card."),
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    birth_date = forms.DateField(label=gettext_lazy("Date of birth"),
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    phone = forms.CharField(label=gettext_lazy("Mobile phone number"), max_length=30,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=gettext_lazy("E-mail (optional)"), required=False)


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code received by SMS"), max_length=10,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class PhoneForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Mobile phone number"), max_length=30,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


class ProxyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    nin = forms.CharField(label=gettext_lazy("Their national identity number"), max_length=40,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    phone = forms.CharField(label=gettext_lazy("Their mobile phone number"), max_length=30,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    relationship = forms.CharField(label=gettext_lazy("Relationship (son, daughter…)"), max_length=60,
                                   required=False)
    valid_until = forms.DateField(label=gettext_lazy("Until (optional)"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  input_formats=["%Y-%m-%d", "%d/%m/%Y"])


# --- Opening a mailbox online ------------------------------------------------------------------------------------

@limit_posts
@never_cache
def open_mailbox(request):
    form = OpenForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = mailboxes.request_opening(phone=data["phone"], nin=data["nin"], birth_date=data["birth_date"],
                                            country=data["country"], language=_language())
        except (MailboxRefused, signin.CodeRefused) as exc:
            return _refused(request, "hybridmail/mailbox/open.html", context, exc)
        request.session[signin.PENDING_KEY] = {"purpose": "open", "code": row.pk, "email": data["email"] or ""}
        return redirect("hybridmail:box-open-code")
    return render(request, "hybridmail/mailbox/open.html", context, status=400 if form.errors else 200)


@limit_posts
@never_cache
def open_code(request):
    pending = request.session.get(signin.PENDING_KEY) or {}
    if pending.get("purpose") != "open":
        return redirect("hybridmail:box-open")
    form = CodeForm(request.POST or None)
    context = {"form": form, "phone": _masked(pending["code"])}
    if request.method == "POST" and form.is_valid():
        try:
            mailbox = mailboxes.confirm_opening(pending["code"], form.cleaned_data["code"], language=_language(),
                                                email=pending.get("email", ""))
        except (MailboxRefused, signin.CodeRefused) as exc:
            return _refused(request, "hybridmail/mailbox/code.html", context, exc)
        signin.start(request, signin.Seat(mailbox.pk), phone=mailbox.phone)
        return redirect(f"{reverse('hybridmail:box-home')}?opened=1")
    return render(request, "hybridmail/mailbox/code.html", context, status=400 if form.errors else 200)


def _masked(code_id) -> str:
    phone = MailboxCode.objects.filter(pk=code_id).values_list("phone", flat=True).first() or ""
    return f"…{phone[-3:]}" if phone else ""


# --- Signing in and out --------------------------------------------------------------------------------------------

def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/mail/box/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return reverse("hybridmail:box-home")


@limit_posts
@never_cache
def sign_in(request):
    form = PhoneForm(request.POST or None)
    context = {"form": form, "next": _next(request)}
    if request.method == "POST" and form.is_valid():
        try:
            phone = mailboxes.clean_phone(form.cleaned_data["phone"])
            row = signin.request_sign_in(phone, language=_language())
        except (MailboxRefused, signin.CodeRefused) as exc:
            return _refused(request, "hybridmail/mailbox/signin.html", context, exc)
        # The same answer whether or not the phone has a mailbox: the form does not tell who has one.
        request.session[signin.PENDING_KEY] = {"purpose": "sign_in", "code": row.pk if row else None,
                                               "phone": phone, "next": context["next"]}
        return redirect("hybridmail:box-signin-code")
    return render(request, "hybridmail/mailbox/signin.html", context, status=400 if form.errors else 200)


@limit_posts
@never_cache
def sign_in_code(request):
    pending = request.session.get(signin.PENDING_KEY) or {}
    if pending.get("purpose") != "sign_in":
        return redirect("hybridmail:box-signin")
    form = CodeForm(request.POST or None)
    context = {"form": form, "phone": f"…{pending['phone'][-3:]}", "signing_in": True}
    if request.method == "POST" and form.is_valid():
        try:
            if not pending.get("code"):
                # No mailbox for this phone: answer as for a wrong code, attempts counted alike, so that the
                # replies do not tell whether the phone has a mailbox.
                pending["tries"] = pending.get("tries", 0) + 1
                request.session[signin.PENDING_KEY] = pending
                left = signin.MAX_ATTEMPTS - pending["tries"]
                if left <= 0:
                    raise signin.CodeRefused("too_many_attempts", _(
                        "The code was tried too many times: ask for a new one."), status=429)
                raise signin.CodeRefused("wrong_code", _("Wrong code. Attempts left: %(left)s.") % {"left": left})
            row = signin.check_code(pending["code"], form.cleaned_data["code"], purpose=MailboxCode.Purpose.SIGN_IN)
        except signin.CodeRefused as exc:
            return _refused(request, "hybridmail/mailbox/code.html", context, exc)
        seats = signin.seats_for_phone(row.phone)
        if not seats:
            return _refused(request, "hybridmail/mailbox/code.html", context,
                            signin.CodeRefused("no_mailbox", _("No mailbox is open for this phone any more."), 404))
        target = pending.get("next") or reverse("hybridmail:box-home")
        signin.start(request, seats[0], phone=row.phone, seats=seats)
        if len(seats) > 1:
            return redirect("hybridmail:box-seats")
        return redirect(target)
    return render(request, "hybridmail/mailbox/code.html", context, status=400 if form.errors else 200)


@seat_required
def seats(request):
    """A phone shared by a family, or a proxy: choose whose mailbox to read."""
    if request.method == "POST":
        try:
            seat = signin.Seat(int(request.POST["mailbox"]), int(request.POST["proxy"]) if request.POST.get("proxy")
                               else None)
        except (KeyError, ValueError):
            seat = None
        if seat is None or not signin.switch(request, seat):
            return render(request, "core/error.html", {"title": _("Bad request")}, status=400)
        return redirect("hybridmail:box-home")
    choices = []
    for seat in signin.other_seats(request):
        mailbox = Mailbox.objects.filter(pk=seat.mailbox_id).first()
        if mailbox is not None and signin.seat_is_valid(seat):
            choices.append({"seat": seat, "mailbox": mailbox, "current": seat == request.seat})
    return render(request, "hybridmail/mailbox/seats.html", {"choices": choices})


@require_POST
def sign_out(request):
    signin.end(request)
    return redirect("hybridmail:box-signin")


# --- Letters ---------------------------------------------------------------------------------------------------

@seat_required
def home(request):
    folder_id = None
    try:
        folder_id = int(request.GET.get("folder") or 0) or None
    except ValueError:
        folder_id = None
    folders = list(Folder.objects.filter(mailbox=request.mailbox))
    folder = next((f for f in folders if f.pk == folder_id), None)
    letters = mailboxes.letters_of(request.mailbox.pk, folder_id=folder.pk if folder else None)
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    start = (page - 1) * LETTERS_PER_PAGE
    shown = list(letters[start:start + LETTERS_PER_PAGE + 1])
    return render(request, "hybridmail/mailbox/home.html", {
        "mailbox": request.mailbox, "seat": request.seat, "letters": shown[:LETTERS_PER_PAGE], "folders": folders,
        "folder": folder, "page": page, "has_next": len(shown) > LETTERS_PER_PAGE,
        "several_seats": len(signin.other_seats(request)) > 1, "opened": request.GET.get("opened") == "1",
    })


def _letter_or_404(request, reference):
    letter = mailboxes.letter_in(request.mailbox.pk, reference)
    if letter is None:
        raise Http404
    return letter


def _record_access(request, letter) -> None:
    """One access record per letter per session (a reload is not a new opening); the first opening always."""
    key = f"{request.seat.mailbox_id}:{request.seat.proxy_id or 0}:{letter.reference}"
    done = request.session.get(OPENED_KEY, [])
    if key in done and letter.state != "deposited":
        return
    mailboxes.record_opening(letter, request.seat)
    request.session[OPENED_KEY] = (done + [key])[-50:]


@seat_required
def letter(request, reference):
    letter = _letter_or_404(request, reference)
    try:
        pdf = mailboxes.content_of(letter)
    except Exception:  # the vault file is missing or altered: say so rather than a 500  # noqa: BLE001
        return render(request, "core/error.html", {"title": _("Letter unavailable"), "message": _(
            "This letter cannot be shown right now. The post has been told; try again later.")}, status=503)
    _record_access(request, letter)
    return render(request, "hybridmail/mailbox/letter.html", {
        "mailbox": request.mailbox, "seat": request.seat, "letter": letter, "pages": mailboxes.text_of(pdf),
        "folders": Folder.objects.filter(mailbox=request.mailbox) if not request.seat.proxy_id else [],
    })


@seat_required
def letter_pdf(request, reference):
    letter = _letter_or_404(request, reference)
    try:
        pdf = mailboxes.content_of(letter)
    except Exception:  # noqa: BLE001
        return render(request, "core/error.html", {"title": _("Letter unavailable")}, status=503)
    _record_access(request, letter)
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{letter.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@seat_required
def letter_proof(request, reference):
    letter = _letter_or_404(request, reference)
    response = HttpResponse(proof_for(letter.evidence_subject, language=_language()), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.reference}-proof.pdf"'
    return response


@seat_required
@holder_only
@require_POST
def file_letter(request, reference):
    letter = _letter_or_404(request, reference)
    try:
        folder_id = int(request.POST.get("folder") or 0) or None
    except ValueError:
        return render(request, "core/error.html", {"title": _("Bad request")}, status=400)
    try:
        mailboxes.move_to_folder(request.mailbox, letter, folder_id)
    except MailboxRefused as exc:
        return render(request, "core/error.html", {"title": exc.message}, status=exc.status)
    return redirect("hybridmail:box-letter", reference=letter.reference)


# --- Folders -----------------------------------------------------------------------------------------------------

@seat_required
@holder_only
@require_POST
def folder_create(request):
    try:
        folder = mailboxes.create_folder(request.mailbox, request.POST.get("name", ""))
    except MailboxRefused as exc:
        return render(request, "core/error.html", {"title": exc.message}, status=exc.status)
    return redirect(f"{reverse('hybridmail:box-home')}?folder={folder.pk}")


@seat_required
@holder_only
@require_POST
def folder_delete(request, folder_id):
    try:
        mailboxes.delete_folder(request.mailbox, folder_id)
    except MailboxRefused as exc:
        return render(request, "core/error.html", {"title": exc.message}, status=exc.status)
    return redirect("hybridmail:box-home")


# --- Proxies -----------------------------------------------------------------------------------------------------

@seat_required
@holder_only
def proxies(request):
    form = ProxyForm(request.POST or None)
    context = {"mailbox": request.mailbox, "form": form, "code_form": CodeForm(),
               "proxies": Proxy.objects.filter(mailbox=request.mailbox, revoked_at=None).order_by("created_at")}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mailboxes.name_proxy(request.mailbox, name=data["name"], nin=data["nin"], phone=data["phone"],
                                 relationship=data["relationship"], valid_until=data["valid_until"])
        except (MailboxRefused, signin.CodeRefused) as exc:
            return _refused(request, "hybridmail/mailbox/proxies.html", context, exc)
        return redirect("hybridmail:box-proxies")
    return render(request, "hybridmail/mailbox/proxies.html", context, status=400 if form.errors else 200)


@limit_posts
@seat_required
@holder_only
@require_POST
def proxy_confirm(request, proxy_id):
    try:
        mailboxes.confirm_proxy(request.mailbox, proxy_id, request.POST.get("code", ""))
    except MailboxRefused as exc:
        return render(request, "core/error.html", {"title": exc.message}, status=exc.status)
    return redirect("hybridmail:box-proxies")


@seat_required
@holder_only
@require_POST
def proxy_revoke(request, proxy_id):
    try:
        mailboxes.revoke_proxy(request.mailbox, proxy_id)
    except MailboxRefused as exc:
        return render(request, "core/error.html", {"title": exc.message}, status=exc.status)
    return redirect("hybridmail:box-proxies")
