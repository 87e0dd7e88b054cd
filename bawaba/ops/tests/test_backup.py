"""Backups restore: taken while requests keep coming in, restored into a fresh database and directories, with
every acknowledged request, stored file and sealed record there and the evidence still verifying."""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections

from bawaba.ops import backup, streamcrypt

MANAGE = Path(django_settings.BASE_DIR) / "manage.py"


@pytest.fixture
def var(settings, tmp_path):
    """A machine's state directory of its own (keys, evidence, media), as the embedded default keeps it."""
    from bawaba.evidence import tsa
    from bawaba.hybridmail import vault

    root = tmp_path / "var"
    root.mkdir()
    settings.VAR_DIR = root
    settings.MEDIA_ROOT = root / "media"
    settings.EVIDENCE_SEAL_KEY = ""
    settings.EVIDENCE_SEAL_KEY_PATH = root / "evidence" / "seal-key.pem"
    settings.EVIDENCE_LOCAL_TSA_DIR = root / "evidence" / "tsa"
    settings.EVIDENCE_TSA_URL = ""
    settings.EVIDENCE_TSA_TRUST_ROOTS = []
    settings.EVIDENCE_STAMP_AT_ONCE = False
    settings.EVIDENCE_BATCH_WINDOW_MS = 0
    settings.EVIDENCE_STAMPER_LINGER_SECONDS = 0
    tsa.clear_caches()
    vault.forget_keys()
    yield root
    tsa.clear_caches()
    vault.forget_keys()


@pytest.fixture
def fibre_statement(orgs, at_supervisor, at_admin, at_agent, settings):
    """A contractor's field report accepted and its statement issued, its documents stored (SHA-256 frozen)."""
    import datetime as dt

    from bawaba.deployments.billing import statements as billing_statements
    from bawaba.deployments.tests.factories import accepted_line, fibre_world

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = fibre_world(orgs, inspector=at_supervisor, billing_admin=at_admin, operator_agent=at_agent)
    accepted_line(world, "GC-01", 10, dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC))
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                            now=dt.datetime(2026, 4, 1, 12, tzinfo=dt.UTC))
    assert statement is not None
    return statement


def _stored_things(make_request):
    """A request with an attachment-like stored file, a letter's encrypted content and its sealed evidence."""
    from bawaba.evidence.services import record_evidence, stamp_pending
    from bawaba.hybridmail import vault

    request = make_request()
    content = b"%PDF-1.7 letter for the restore test"
    vault.store("letters/L-RESTORE.bin", content, bound_to="L-RESTORE")
    record_evidence("SubmissionAcceptance", subject="hybridmail.letter:L-RESTORE", actor="system:test",
                    content_hash=hashlib.sha256(content).hexdigest(), payload={"test": True})
    record_evidence("ContentConsignment", subject="hybridmail.letter:L-RESTORE", actor="system:test",
                    content_hash=hashlib.sha256(content).hexdigest(), payload={"test": True})
    assert stamp_pending() == 2
    return request, content


WRITER = """
import pathlib, time
from bawaba.orgs.models import Service
from bawaba.servicedesk.services import do_create_request
service = Service.objects.get(code="algerie-telecom/faults")
stop, out = pathlib.Path({stop!r}), open({out!r}, "a", buffering=1)
while not stop.exists():
    request = do_create_request(service=service, channel="web", citizen_phone="0550 12 34 56", subject="Coupure",
                                text="Plus de connexion depuis ce matin.")
    out.write(f"{{request.reference}} {{time.time()}}\\n")
"""
BACKUP = """
import time
from django.core.management import call_command
print(time.time(), flush=True)
call_command("backup", {path!r})
"""


def _environment(var_dir: Path, *, database_url: str = "", sqlite_path: Path | None = None, key: str = "") -> dict:
    env = {**os.environ, "BAWABA_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "config.settings",
           "DATABASE_URL": database_url, "BACKUP_ENCRYPTION_KEY": key, "HUEY_IMMEDIATE": "0",
           "EVIDENCE_STAMP_AT_ONCE": "0", "NOTIFICATION_SEND_AT_ONCE": "0"}
    if sqlite_path:
        env["SQLITE_PATH"] = str(sqlite_path)
    env.pop("BAWABA_TEST_CLOCK", None)
    return env


def _run_on(var_dir: Path, *args, **where):
    return subprocess.run([sys.executable, str(MANAGE), *args], env=_environment(var_dir, **where),  # noqa: S603
                          capture_output=True, text=True, timeout=300, check=False)


def _acknowledged(out: Path) -> list[tuple[str, float]]:
    lines = out.read_text().splitlines() if out.exists() else []
    return [(line.split()[0], float(line.split()[1])) for line in lines if len(line.split()) == 2]


def _wait_for(condition, writer, seconds=180):
    deadline = time.monotonic() + seconds
    while not condition():
        assert writer.poll() is None, writer.stderr.read()
        assert time.monotonic() < deadline, "the writer stopped making requests"
        time.sleep(0.05)


def _backup_under_load(tmp_path, var_dir, key_text, **where):
    """`bawaba backup` in its own process while another process keeps creating requests, as cron would run it
    beside the web server. Returns the archive, the requests acknowledged before it began, and all of them."""
    stop, out, archive = tmp_path / "stop", tmp_path / "acknowledged.txt", tmp_path / "out" / "bawaba.tar.gz.enc"
    env = _environment(var_dir, key=key_text, **where)
    shell = [sys.executable, str(MANAGE), "shell", "-v", "0", "-c"]
    writer = subprocess.Popen([*shell, WRITER.format(stop=str(stop), out=str(out))],  # noqa: S603
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: len(_acknowledged(out)) >= 10, writer)
        result = subprocess.run([*shell, BACKUP.format(path=str(archive))],  # noqa: S603
                                env=env, capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        started = float(result.stdout.split()[0])
        _wait_for(lambda: (lambda done: len(done) >= 20 and done[-1][1] > started)(_acknowledged(out)), writer)
    finally:
        stop.touch()
        writer.wait(timeout=60)
    acknowledged = _acknowledged(out)
    before = {reference for reference, at in acknowledged if at < started}
    return archive, before, acknowledged


def _prove_on_restored(var_dir, tmp_path, **where):
    """The restored platform audits its whole evidence log clean, verifies a proof made there and the fibre
    statement's issued documents (bytes, SHA-256 and figures)."""
    audit = _run_on(var_dir, "evidence", "audit", **where)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    documents = _run_on(var_dir, "fibre_verify_documents", **where)
    assert documents.returncode == 0, documents.stdout + documents.stderr
    proof_path = tmp_path / "proof.pdf"
    made = _run_on(var_dir, "evidence", "proof", "hybridmail.letter:L-RESTORE", "--output", str(proof_path), **where)
    assert made.returncode == 0, made.stdout + made.stderr
    verified = _run_on(var_dir, "evidence", "verify", str(proof_path), **where)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _pg_params():
    source = connection.settings_dict
    return {"host": source.get("HOST") or "127.0.0.1", "port": source.get("PORT") or 5432,
            "user": source.get("USER") or "postgres", "password": source.get("PASSWORD") or None}


def _pg_url(name: str) -> str:
    params = _pg_params()
    password = f":{params['password']}" if params["password"] else ""
    return f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_under_write_load_restores_everything_acknowledged(var, tmp_path, make_request,
                                                                         fibre_statement):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL backup is tested below")
    import sqlite3

    first, content = _stored_things(make_request)
    # The platform's database as the embedded default keeps it: a file in WAL mode, here a copy of the test's.
    database = var / "bawaba.sqlite3"
    with sqlite3.connect(database) as copy:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")
    key_text = streamcrypt.new_key()
    archive, before, acknowledged = _backup_under_load(tmp_path, var, key_text, sqlite_path=database)
    assert len(before) >= 10
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == \
        archive.with_name(archive.name + ".sha256").read_text().split()[0]

    fresh = tmp_path / "fresh"
    key = streamcrypt.parse_key(key_text)
    restored = backup.restore_backup(archive, key=key, sqlite_path=fresh / "bawaba.sqlite3",
                                     media_root=fresh / "media", var_dir=fresh)
    assert restored.engine == "sqlite"
    with sqlite3.connect(fresh / "bawaba.sqlite3") as db:
        references = {row[0] for row in db.execute("SELECT reference FROM servicedesk_request")}
        numbers = {row[0] for row in db.execute("SELECT number FROM deployments_paymentstatement")}
        reports = db.execute("SELECT COUNT(*) FROM deployments_fieldreport").fetchone()[0]
    assert fibre_statement.number in numbers and reports >= 1
    assert before <= references  # every request acknowledged before the backup began is in it
    assert references <= {reference for reference, _at in acknowledged} | {first.reference}
    assert (fresh / "hybridmail_keys").read_bytes() == (var / "hybridmail_keys").read_bytes()
    _prove_on_restored(fresh, tmp_path, sqlite_path=fresh / "bawaba.sqlite3")
    decrypted = _run_on(fresh, "shell", "-v", "0", "-c", "from bawaba.hybridmail import vault; import sys; "
                        "sys.stdout.write(vault.load('letters/L-RESTORE.bin', bound_to='L-RESTORE').decode())",
                        sqlite_path=fresh / "bawaba.sqlite3")
    assert decrypted.stdout == content.decode(), decrypted.stderr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_under_write_load_restores_into_a_fresh_database(var, tmp_path, make_request,
                                                                          fibre_statement):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    import psycopg

    _stored_things(make_request)
    key_text = streamcrypt.new_key()
    source = connection.settings_dict
    archive, before, _acknowledged = _backup_under_load(tmp_path, var, key_text, database_url=_pg_url(source["NAME"]))
    target = {**source, "NAME": f"{source['NAME']}_restored"}
    params = _pg_params()
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}"')
        admin.execute(f'CREATE DATABASE "{target["NAME"]}"')
    try:
        fresh = tmp_path / "fresh"
        key = streamcrypt.parse_key(key_text)
        backup.restore_backup(archive, key=key, database=target, media_root=fresh / "media", var_dir=fresh)
        with psycopg.connect(dbname=target["NAME"], **params) as db:
            references = {row[0] for row in db.execute("SELECT reference FROM servicedesk_request")}
            numbers = {row[0] for row in db.execute("SELECT number FROM deployments_paymentstatement")}
            reports = db.execute("SELECT COUNT(*) FROM deployments_fieldreport").fetchone()[0]
        assert fibre_statement.number in numbers and reports >= 1
        assert len(before) >= 10 and before <= references
        with pytest.raises(backup.BackupError, match="already holds data"):
            backup.restore_backup(archive, key=key, database=target, media_root=fresh / "media", var_dir=fresh)
        _prove_on_restored(fresh, tmp_path, database_url=_pg_url(target["NAME"]))
    finally:
        connections.close_all()
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')


def test_a_damaged_or_cut_archive_or_a_wrong_key_is_refused_before_anything_changes(transactional_db, var, tmp_path):
    key = streamcrypt.parse_key(streamcrypt.new_key())
    report = backup.create_backup(tmp_path / "b.tar.gz.enc", key=key)
    data = report.path.read_bytes()
    fresh = tmp_path / "fresh"
    sqlite_target = fresh / "bawaba.sqlite3"
    with pytest.raises(backup.BackupError, match="encrypted"):
        backup.restore_backup(report.path, key=None, sqlite_path=sqlite_target, var_dir=fresh)
    with pytest.raises(backup.BackupError, match="wrong key"):
        backup.restore_backup(report.path, key=os.urandom(32), sqlite_path=sqlite_target, var_dir=fresh)
    report.path.write_bytes(data[: len(data) // 2])
    with pytest.raises(backup.BackupError, match="does not match its .sha256"):
        backup.restore_backup(report.path, key=key, sqlite_path=sqlite_target, var_dir=fresh)
    report.path.with_name(report.path.name + ".sha256").unlink()
    with pytest.raises(backup.BackupError, match="cut short"):
        backup.restore_backup(report.path, key=key, sqlite_path=sqlite_target, var_dir=fresh)
    assert not sqlite_target.exists() and not (fresh / "media").exists()


def test_a_plain_archive_leaves_the_keys_out_unless_asked(transactional_db, var, tmp_path):
    (var / "hybridmail_keys").write_bytes(b"secret")
    (var / "routing").mkdir()
    (var / "routing" / "model.joblib").write_bytes(b"model")
    plain = backup.create_backup(tmp_path / "plain.tar.gz")
    assert not plain.keys_included
    with_keys = backup.create_backup(tmp_path / "keys.tar.gz", include_keys=True)
    names_plain = set(backup.unpack(plain.path, _empty(tmp_path / "u1"), key=None)["files"])
    names_keys = set(backup.unpack(with_keys.path, _empty(tmp_path / "u2"), key=None)["files"])
    assert "state/routing/model.joblib" in names_plain and "state/hybridmail_keys" not in names_plain
    assert "state/hybridmail_keys" in names_keys


def test_the_commands_write_and_check_an_archive(transactional_db, var, tmp_path, capsys):
    from django.core.management import call_command

    call_command("backup", str(tmp_path / "c.tar.gz"))
    assert "sha256" in capsys.readouterr().out
    call_command("restore", "--check", str(tmp_path / "c.tar.gz"))
    assert "archive is whole" in capsys.readouterr().out


def _empty(path: Path) -> Path:
    path.mkdir()
    return path
