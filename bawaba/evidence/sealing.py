"""The platform's seal: who signs each evidence record.

`sealer()` returns the configured Sealer (settings.EVIDENCE_SEALER, a dotted path to a factory). The
default, `file_sealer`, reads a PEM private key (Ed25519 or ECDSA P-256) from EVIDENCE_SEAL_KEY_PATH, or
makes one under BAWABA_VAR_DIR/evidence with a self-signed certificate labelled NOT QUALIFIED. An HSM plugs in
as another factory returning an object with the same four members (docs/evidence.md shows a PKCS#11 one):
the private key then never leaves the HSM.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from django.conf import settings
from django.utils.module_loading import import_string

from . import keys

SEAL_CONTEXT = b"bawaba-evidence-seal/1\n"  # domain separation: a seal signs nothing but a record hash
ED25519 = "ed25519"
ECDSA_P256 = "ecdsa-p256-sha256"


class Sealer(Protocol):
    algorithm: str  # ED25519 or ECDSA_P256
    key_id: str  # SHA-256 of the public key (SubjectPublicKeyInfo, DER), hex

    def sign(self, data: bytes) -> bytes: ...

    def public_key_pem(self) -> str: ...

    def certificate_pem(self) -> str: ...


def key_id_of(public_key) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def algorithm_of(public_key) -> str:
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return ED25519
    if isinstance(public_key, ec.EllipticCurvePublicKey) and public_key.curve.name == "secp256r1":
        return ECDSA_P256
    raise ValueError("seal keys must be Ed25519 or ECDSA P-256")


@dataclass
class KeySealer:
    """A seal key held in this process (a file or an environment variable)."""

    private_key: object
    certificate: x509.Certificate

    def __post_init__(self):
        self.public_key = self.private_key.public_key()
        self.algorithm = algorithm_of(self.public_key)
        self.key_id = key_id_of(self.public_key)

    def sign(self, data: bytes) -> bytes:
        if self.algorithm == ED25519:
            return self.private_key.sign(data)
        return self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))

    def public_key_pem(self) -> str:
        return self.public_key.public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()


def file_sealer() -> KeySealer:
    """The seal key from EVIDENCE_SEAL_KEY (PEM text) or EVIDENCE_SEAL_KEY_PATH, made there if missing."""
    if settings.EVIDENCE_SEAL_KEY:
        key_pem = settings.EVIDENCE_SEAL_KEY.encode()
    else:
        key_pem = keys.write_once(Path(settings.EVIDENCE_SEAL_KEY_PATH), keys.new_ed25519_pem)
    private_key = keys.load_private_key(key_pem)
    cert_path = Path(settings.EVIDENCE_SEAL_CERT_PATH) if settings.EVIDENCE_SEAL_CERT_PATH else None
    if cert_path is None:
        suffix = f".{key_id_of(private_key.public_key())[:16]}.crt"
        cert_path = Path(settings.EVIDENCE_SEAL_KEY_PATH).with_suffix(suffix)

        def make_certificate() -> bytes:
            subject = keys.name(f"{settings.EVIDENCE_ISSUER_NAME} evidence seal ({keys.NOT_QUALIFIED})",
                                settings.EVIDENCE_ISSUER_NAME)
            cert = keys.certificate(subject, private_key.public_key(), subject, private_key, ca=False, years=30)
            return cert.public_bytes(serialization.Encoding.PEM)

        cert_pem = keys.write_once(cert_path, make_certificate)
    else:
        cert_pem = cert_path.read_bytes()
    cert = x509.load_pem_x509_certificate(cert_pem)
    if key_id_of(cert.public_key()) != key_id_of(private_key.public_key()):
        raise ValueError(f"{cert_path} is not the certificate of the evidence seal key")
    return KeySealer(private_key, cert)


@lru_cache(maxsize=4)
def _sealer(path: str, key_path: str, key_text: str) -> Sealer:
    return import_string(path)()


def sealer() -> Sealer:
    return _sealer(settings.EVIDENCE_SEALER, str(settings.EVIDENCE_SEAL_KEY_PATH), settings.EVIDENCE_SEAL_KEY)


def seal(record_hash: str) -> tuple[str, str, str]:
    """(algorithm, key id, base64 signature) of the platform's seal over one record hash."""
    current = sealer()
    signature = current.sign(SEAL_CONTEXT + bytes.fromhex(record_hash))
    return current.algorithm, current.key_id, base64.b64encode(signature).decode()


HEAD_CONTEXT = b"bawaba-evidence-head/1\n"  # a proof's sealed statement of its chain's length and last hash


def seal_statement(data: bytes) -> tuple[str, str, str]:
    current = sealer()
    return current.algorithm, current.key_id, base64.b64encode(current.sign(HEAD_CONTEXT + data)).decode()


def verify_statement(public_key, data: bytes, signature_b64: str) -> bool:
    return _verify(public_key, HEAD_CONTEXT + data, signature_b64)


def load_public_key(pem: str):
    data = pem.encode()
    if b"CERTIFICATE" in data:
        return x509.load_pem_x509_certificate(data).public_key()
    return serialization.load_pem_public_key(data)


def verify_seal(public_key, record_hash: str, signature_b64: str) -> bool:
    try:
        data = SEAL_CONTEXT + bytes.fromhex(record_hash)
    except (ValueError, TypeError):
        return False
    return _verify(public_key, data, signature_b64)


def _verify(public_key, data: bytes, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        if isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, data)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def trusted_seal_keys() -> dict[str, object]:
    """key id -> public key of every seal this platform accepts: its current key and the former ones
    (EVIDENCE_TRUSTED_SEAL_KEYS: PEM files of public keys or certificates, after a key change)."""
    current = sealer()
    trusted = {current.key_id: load_public_key(current.public_key_pem())}
    for path in settings.EVIDENCE_TRUSTED_SEAL_KEYS:
        for pem in _pem_blocks(Path(path).read_text()):
            key = load_public_key(pem)
            trusted[key_id_of(key)] = key
    return trusted


def _pem_blocks(text: str) -> list[str]:
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("-----BEGIN"):
            current = [line]
        elif line.startswith("-----END"):
            current.append(line)
            blocks.append("\n".join(current) + "\n")
            current = []
        elif current:
            current.append(line)
    return blocks
