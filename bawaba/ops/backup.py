"""Backups that restore (docs/operations.md, "Backup and restore").

`create_backup` writes one archive: a consistent copy of the database (SQLite's online backup API on the
embedded default; `pg_dump` custom format, itself one snapshot, on PostgreSQL), then the stored files
(attachments, photos, issued documents, letters, evidence) and the platform's state files, and last a
manifest naming the SHA-256 of every member. The archive is a gzip-compressed tar, encrypted when a key is
given (bawaba.ops.streamcrypt), and a `<archive>.sha256` file beside it lets anyone check it with `sha256sum -c`.

The database is copied first: a file written after that moment is in the archive without a row naming it
(harmless); every row in the copy names a file that already existed, because files are written before the
rows that name them are committed.

Key files of the embedded default (the secret key, the biometric and letter keys, the seal and time-stamping
keys) go into encrypted archives only, unless asked: an archive without them restores a platform whose keys
come from the environment, as production's do.

`restore_backup` checks everything before it changes anything (the checksum file, the decryption, every
member against the manifest), refuses a database that already holds data unless forced, installs the
database and the files, and applies the migrations of the code in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from . import streamcrypt

FORMAT = "bawaba-backup/1"
MANIFEST = "MANIFEST.json"
KEY_FILES = ("secret_key", "biometric_keys", "lifeproof_signing_key.pem", "hybridmail_keys", "hybridmail_id_key")
KEY_DIRS = ("evidence",)
# State under BAWABA_VAR_DIR that is not copied: the database (copied through its own API), the job queue
# (in-flight jobs; every job of the platform is re-derived by its sweep), collected static files, backups.
SKIPPED_STATE = ("bawaba.sqlite3", "huey.sqlite3", "static", "media", "backups", "tmp")


class BackupError(Exception):
    pass


@dataclass
class BackupReport:
    path: Path
    sha256: str
    size: int
    encrypted: bool
    keys_included: bool
    engine: str
    files: int
    tables: dict[str, int] = field(default_factory=dict)


@dataclass
class RestoreReport:
    engine: str
    files: int
    created_at: str
    tables: dict[str, int] = field(default_factory=dict)


def engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


# --- Database copies --------------------------------------------------------------------------------------

def _pg_environment(database: dict) -> tuple[list[str], dict]:
    args = ["--host", database.get("HOST") or "127.0.0.1", "--port", str(database.get("PORT") or 5432),
            "--username", database.get("USER") or "postgres"]
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict | None = None) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def _copy_database(target_dir: Path) -> tuple[str, dict[str, int]]:
    connection.ensure_connection()
    if engine() == "sqlite":
        target = target_dir / "db.sqlite3"
        copy = sqlite3.connect(target)
        deadline = time.monotonic() + settings.BACKUP_SQLITE_TIMEOUT

        def give_up_when_late(status, remaining, total):
            # SQLite retries while another connection holds a lock it needs; with WAL readers never wait for
            # writers, so this only trips when something holds the database for minutes.
            if time.monotonic() > deadline:
                raise BackupError("the database stayed locked: no consistent copy could be taken")

        with copy:
            # One consistent snapshot, taken while others keep writing.
            connection.connection.backup(copy, progress=give_up_when_late)
        tables = _sqlite_counts(copy)
        copy.close()
        return "database/db.sqlite3", tables
    database = connection.settings_dict
    args, env = _pg_environment(database)
    _run(["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges",
          "--file", str(target_dir / "db.pgdump"), database["NAME"]], env)
    return "database/db.pgdump", {}


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608


# --- Files ------------------------------------------------------------------------------------------------

def _walk(root: Path):
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.endswith(".part"):
            yield path


def _state_files(include_keys: bool):
    root = Path(settings.VAR_DIR)
    media = Path(settings.MEDIA_ROOT).resolve()
    for path in _walk(root):
        relative = path.relative_to(root)
        top = relative.parts[0]
        skipped = top in SKIPPED_STATE or top.startswith(("bawaba.sqlite3", "huey.sqlite3", "."))
        if skipped or path.resolve().is_relative_to(media) or path.suffix in (".enc", ".sha256"):
            continue
        is_key = top in KEY_FILES or top in KEY_DIRS
        if is_key and not include_keys:
            continue
        yield path, f"state/{relative.as_posix()}"


def _media_files():
    root = Path(settings.MEDIA_ROOT)
    for path in _walk(root):
        yield path, f"media/{path.relative_to(root).as_posix()}"


class _HashingWriter:
    """Counts and hashes what goes to the file (the archive's own SHA-256, written beside it)."""

    def __init__(self, sink):
        self.sink, self.digest, self.size = sink, hashlib.sha256(), 0

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.sink.write(data)

    def flush(self) -> None:
        self.sink.flush()


def _add(archive: tarfile.TarFile, name: str, data_path: Path | None = None, data: bytes | None = None) -> dict:
    if data is None:
        data = data_path.read_bytes()
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    info.mtime = int(data_path.stat().st_mtime) if data_path else int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.values_list("app", "name").order_by("app", "name"):
        latest[app] = name
    return latest


def create_backup(destination: Path, *, key: bytes | None = None, include_keys: bool | None = None,
                  now: dt.datetime | None = None) -> BackupReport:
    now = now or timezone.now()
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    include_keys = bool(key) if include_keys is None else include_keys
    partial = destination.with_name(destination.name + ".part")
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".backup-") as work:
        database_member, tables = _copy_database(Path(work))
        files: dict[str, dict] = {}
        with open(partial, "wb") as raw:
            hashing = _HashingWriter(raw)
            sink = streamcrypt.EncryptingWriter(hashing, key) if key else hashing
            with tarfile.open(fileobj=sink, mode="w|gz") as archive:
                database_file = Path(work) / Path(database_member).name
                files[database_member] = _add(archive, database_member, database_file)
                for path, name in [*_media_files(), *_state_files(include_keys)]:
                    try:
                        files[name] = _add(archive, name, path)
                    except FileNotFoundError:  # removed since the walk (a purged frame): not part of the copy
                        continue
                manifest = {
                    "format": FORMAT, "created_at": now.isoformat(), "engine": engine(),
                    "database": database_member, "migrations": _migrations(), "tables": tables,
                    "keys_included": include_keys, "encrypted": bool(key), "files": files,
                }
                _add(archive, MANIFEST, data=json.dumps(manifest, indent=1, sort_keys=True).encode())
            if key:
                sink.close()
            raw.flush()
            os.fsync(raw.fileno())
    os.replace(partial, destination)
    digest = hashing.digest.hexdigest()
    destination.with_name(destination.name + ".sha256").write_text(f"{digest}  {destination.name}\n")
    return BackupReport(path=destination, sha256=digest, size=hashing.size, encrypted=bool(key),
                        keys_included=include_keys, engine=engine(), files=len(files) - 1, tables=tables)


# --- Restore ----------------------------------------------------------------------------------------------

def _check_sidecar(archive: Path) -> None:
    sidecar = archive.with_name(archive.name + ".sha256")
    if not sidecar.exists():
        return
    expected = sidecar.read_text().split()[0]
    digest = hashlib.sha256()
    with open(archive, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise BackupError(f"{archive.name} does not match its .sha256 file: the archive is damaged")


def unpack(archive: Path, into: Path, *, key: bytes | None) -> dict:
    """Check and unpack an archive into `into`; returns its manifest. Nothing outside `into` is touched."""
    archive = Path(archive)
    _check_sidecar(archive)
    with open(archive, "rb") as handle:
        encrypted = handle.read(4) == streamcrypt.MAGIC
    plain = archive
    if encrypted:
        if not key:
            raise BackupError("this archive is encrypted: give its key (BACKUP_ENCRYPTION_KEY)")
        plain = into / "archive.tar.gz"
        with open(archive, "rb") as source, open(plain, "wb") as sink:
            try:
                streamcrypt.decrypt_stream(source, sink, key)
            except streamcrypt.DecryptionError as exc:
                raise BackupError(str(exc)) from exc
    tree = into / "tree"
    tree.mkdir()
    try:
        with tarfile.open(plain, mode="r:gz") as tar:
            tar.extractall(tree, filter="data")  # no absolute paths, links or devices out of the archive
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"the archive cannot be read: {exc}") from exc
    if encrypted:
        plain.unlink()
    try:
        manifest = json.loads((tree / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError("the archive has no readable manifest") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown archive format {manifest.get('format')!r}")
    found = {path.relative_to(tree).as_posix() for path in tree.rglob("*") if path.is_file()} - {MANIFEST}
    if found != set(manifest["files"]):
        raise BackupError("the archive's members differ from its manifest")
    for name, expected in manifest["files"].items():
        if hashlib.sha256((tree / name).read_bytes()).hexdigest() != expected["sha256"]:
            raise BackupError(f"{name} does not match the manifest's checksum")
    return manifest


def _database_is_empty(database: dict | None, sqlite_path: Path | None) -> bool:
    if engine() == "sqlite" and database is None:
        path = sqlite_path or Path(settings.SQLITE_PATH)
        if not path.exists():
            return True
        with sqlite3.connect(path) as db:
            return not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                  "AND name = 'django_migrations'").fetchone()
    import psycopg

    database = database or connection.settings_dict
    with psycopg.connect(host=database.get("HOST") or "127.0.0.1", port=database.get("PORT") or 5432,
                         user=database.get("USER") or "postgres", password=database.get("PASSWORD") or None,
                         dbname=database["NAME"]) as db:
        return not db.execute("SELECT 1 FROM pg_tables WHERE schemaname = 'public' LIMIT 1").fetchone()


def restore_backup(archive: Path, *, key: bytes | None = None, force: bool = False, database: dict | None = None,
                   sqlite_path: Path | None = None, media_root: Path | None = None, var_dir: Path | None = None,
                   migrate: bool = True) -> RestoreReport:
    """Restore `archive` into the configured database and directories (or those given: tests restore into a
    fresh database beside the one they run on). Refuses a database that holds data unless `force`."""
    media_root = Path(media_root or settings.MEDIA_ROOT)
    var_dir = Path(var_dir or settings.VAR_DIR)
    var_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=var_dir, prefix=".restore-") as work:
        manifest = unpack(Path(archive), Path(work), key=key)
        tree = Path(work) / "tree"
        target_engine = "postgresql" if database is not None or (engine() == "postgresql" and not sqlite_path) \
            else "sqlite"
        if manifest["engine"] != target_engine:
            raise BackupError(f"this is a {manifest['engine']} backup; the target database is {target_engine}")
        if not force and not _database_is_empty(database, sqlite_path):
            raise BackupError("the target database already holds data: restore into an empty one, or force")
        # With the database empty nothing refers to the files already there (a key made when the empty
        # platform first started protects nothing yet), so the archive's files replace them.
        plan = [(path, root / path.relative_to(tree / prefix))
                for root, prefix in ((media_root, "media"), (var_dir, "state")) for path in _walk(tree / prefix)]
        dump = tree / manifest["database"]
        if target_engine == "sqlite":
            path = Path(sqlite_path or settings.SQLITE_PATH)
            if sqlite_path is None:
                connections.close_all()
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(dump, path.with_name(path.name + ".part"))
            os.replace(path.with_name(path.name + ".part"), path)
        else:
            target = database or connection.settings_dict
            args, env = _pg_environment(target)
            _run(["pg_restore", *args, "--no-owner", "--no-privileges", "--exit-on-error",
                  *(["--clean", "--if-exists"] if force else []), "--dbname", target["NAME"], str(dump)], env)
        for path, target_path in plan:
            target_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target_path)
    if migrate and database is None and sqlite_path is None:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    return RestoreReport(engine=manifest["engine"], files=len(manifest["files"]) - 1,
                         created_at=manifest["created_at"], tables=manifest.get("tables", {}))
