"""The request's record reads its messages and files only when its history has a line for them
(desk.views._request_record). That holds only while every way of adding a message or a file to a request
writes that line in the same transaction: a way that did not would hide a citizen's message from the agents.

Two guards. The source: rows of servicedesk's Message and Attachment are made only by servicedesk.services'
_add_message and _store_attachments, themselves called only by the service functions that write the lines;
a new writer anywhere else fails here (give it its history line, then list it below). The data: through
those functions and through the e-mail channel (the writer with the most cases: attachments kept and refused,
a long message cut into several), every message has its line and every file its line, and the page shows them.
"""

import ast
import email.message
from pathlib import Path

import pytest
from django.db.models import Count

from bawaba.channels.email import ingest_email
from bawaba.servicedesk import services
from bawaba.servicedesk.models import Attachment, EventKind, Message, Request, RequestEvent

from .test_request_page import png, text, url

ROOT = Path(services.__file__).resolve().parents[1]  # bawaba/
MODELS = {"Message", "Attachment"}
ROW_MAKERS = {"create", "bulk_create", "get_or_create", "update_or_create"}
# Where rows are made, and who may call those places (each caller writes the history line of what it adds).
WRITERS = {("servicedesk/services.py", "_add_message"), ("servicedesk/services.py", "_store_attachments")}
CALLERS = {
    "_add_message": {"do_reply", "do_add_note", "do_citizen_message"},
    "_store_attachments": {"_add_message", "do_create_request"},
}
LINE_OF_MESSAGE = {"reply": EventKind.REPLIED, "note": EventKind.NOTE, "citizen": EventKind.CITIZEN_MESSAGE}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _imports_servicedesk_models(tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("servicedesk.models") or (
                isinstance(node, ast.ImportFrom) and node.module == "models" and node.level == 1):
            names |= {alias.asname or alias.name for alias in node.names if alias.name in MODELS}
    return names


def _receiver_is_rows(node) -> bool:
    """`Message.objects`, `Attachment.objects`, `<anything>.messages`, `<anything>.attachments`."""
    if isinstance(node, ast.Attribute) and node.attr == "objects":
        return isinstance(node.value, ast.Name) and node.value.id in MODELS
    return isinstance(node, ast.Attribute) and node.attr in ("messages", "attachments")


def _row_writes(path, tree):
    """(path, enclosing function, line) of every place that makes or moves a Message or Attachment row."""
    models = _imports_servicedesk_models(tree)
    found = []

    def makes_rows(call) -> bool:
        func = call.func
        if isinstance(func, ast.Name):
            return func.id in models  # Message(...), Attachment(...)
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr in ROW_MAKERS:
            return _receiver_is_rows(func.value)
        # .update(request=...) on their rows: moved to another request
        return func.attr == "update" and any(k.arg in ("request", "request_id", "message", "message_id")
                                             for k in call.keywords) and any(
            name in ast.unparse(func.value) for name in ("Message", "Attachment", "messages", "attachments"))

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Call) and makes_rows(child):
                found.append((path, function, child.lineno))
            elif isinstance(child, ast.Constant) and isinstance(child.value, str) and any(
                    table in child.value.lower() for table in ("servicedesk_message", "servicedesk_attachment")):
                found.append((path, function, child.lineno))  # raw SQL
            visit(child, inner)

    visit(tree, None)
    return found


def _callers(tree, name: str) -> set[str]:
    callers = set()
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and any(
                isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == name
                for call in ast.walk(function)):
            callers.add(function.name)
    return callers


def test_only_the_service_functions_that_write_the_history_line_make_messages_and_files():
    writes = [write for path, tree in _sources() for write in _row_writes(path, tree)]
    assert writes, "the scan found nothing: it no longer sees servicedesk's own writers"
    assert {(path, function) for path, function, _line in writes} == WRITERS, (
        "a message or a file of a request is made outside servicedesk.services' _add_message and "
        f"_store_attachments: {sorted(set(writes))}. Write its history line in the same transaction "
        "(the desk's record reads messages and files only when the history has one), then list it here.")
    tree = ast.parse((ROOT / "servicedesk/services.py").read_text(encoding="utf-8"))
    for writer, expected in CALLERS.items():
        assert _callers(tree, writer) == expected, (
            f"{writer} has a new caller: make it write the history line of what it adds, then list it here")
    for path, other in _sources():
        if path != "servicedesk/services.py":
            assert not (_callers(other, "_add_message") | _callers(other, "_store_attachments")), path


def _assert_every_message_and_file_has_its_line(request: Request) -> None:
    lines = RequestEvent.objects.filter(request=request)
    for message in Message.objects.filter(request=request):
        assert lines.filter(kind=LINE_OF_MESSAGE[message.kind], data__message=message.pk).exists(), message
    files = Attachment.objects.filter(request=request).count()
    assert lines.filter(kind=EventKind.ATTACHMENT).count() >= files


def test_each_writer_leaves_a_line_for_each_message_and_file_and_the_record_shows_them(
        login, at_agent, make_request):
    req = make_request(attachments=[png("at-creation.png")])
    services.do_reply(req, "Une photo du modem ?", actor=at_agent, attachments=[png("reply.png")],
                      wait_for_citizen=True)
    services.do_citizen_message(req, "La voici.", attachments=[png("one.png"), png("two.png")])
    services.do_add_note(req, "Photo reçue.", actor=None, attachments=[png("note.png")])
    _assert_every_message_and_file_has_its_line(req)
    assert Message.objects.filter(request=req).count() == 3 and Attachment.objects.filter(request=req).count() == 5
    html = text(login(at_agent).get(url("request", req)))
    for body in ("Une photo du modem ?", "La voici.", "Photo reçue."):
        assert body in html, body
    for item in Attachment.objects.filter(request=req):
        assert url("attachment", req, pk=item.pk) in html, item.original_name


def _mail(subject: str, body: str, attachments=()) -> bytes:
    message = email.message.EmailMessage()
    message["From"] = "Nadia Benali <nadia@example.dz>"
    message["To"] = "requetes@bawaba.example"
    message["Subject"] = subject
    message.set_content(body)
    for name, data, maintype, subtype in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


@pytest.mark.django_db
def test_a_citizens_e_mail_to_an_open_request_shows_on_its_record(orgs, login, at_agent):
    photo = png().read()
    first = ingest_email(_mail("Internet coupé", "Plus d'internet depuis hier.")).request
    assert first.organisation_id == at_agent.organisation_id
    client = login(at_agent)
    assert "No messages yet." in text(client.get(url("request", first)))  # the record of this state is cached
    refused = ("script.exe", b"MZ\x90\x00", "application", "octet-stream")
    follow_up = ingest_email(_mail(f"Re: Internet coupé [{first.reference}]", "Toujours rien. " * 900,
                                   attachments=[("modem.png", photo, "image", "png"), refused]))
    assert follow_up.request.pk == first.pk and not follow_up.created and follow_up.refused
    _assert_every_message_and_file_has_its_line(first)
    kinds = dict(Message.objects.filter(request=first).values_list("kind").annotate(n=Count("pk")))
    assert kinds.get("citizen", 0) >= 2 and kinds.get("note") == 1  # cut in pieces; the refused file noted
    html = text(client.get(url("request", first)))
    assert "No messages yet." not in html and "Toujours rien." in html and "script.exe" in html
    item = Attachment.objects.get(request=first)
    assert item.original_name == "modem.png" and url("attachment", first, pk=item.pk) in html
