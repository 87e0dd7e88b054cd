"""RFC 3161 time stamps: asking an authority (over HTTP, or the embedded local one) and checking a token.

Built on asn1crypto (the RFC 3161 / CMS structures) and cryptography (the signatures), the two libraries
pyHanko itself builds its time-stamp client and validator on; see docs/evidence.md for why not pyHanko.

- `timestamper()`: EVIDENCE_TSA_URL set -> HttpTimestamper (POST application/timestamp-query, RFC 3161
  section 3.4); unset -> LocalTimestamper, the embedded default's own authority, whose key and certificates
  are made once under BAWABA_VAR_DIR/evidence/tsa and say NOT QUALIFIED in their subject.
- `verify_token()`: a token's CMS signature, its signing certificate (time-stamping usage, valid at the
  time stamped, issued by a trusted root) and its imprint, with the reason of the first check that fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import cms, tsp
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.conf import settings

from . import keys

# The local authority's policy: an OID made from a UUID (ITU-T X.667, arc 2.25), which needs no registration.
LOCAL_POLICY_OID = "2.25.247089156263516298207366826409531376431"
HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
MAX_TOKEN_BYTES = 64 * 1024


class TimestampError(Exception):
    """The authority could not be reached or answered something unusable: the batch waits for a retry."""


class TokenError(ValueError):
    """A token that does not verify; the message says which check failed."""


@dataclass(frozen=True)
class TokenInfo:
    gen_time: dt.datetime
    serial: int
    policy: str
    tsa_subject: str
    root_subject: str
    qualified_label: bool  # False when the authority's certificate says NOT QUALIFIED


def timestamp_request(digest: bytes, nonce: int) -> bytes:
    return tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
        "nonce": nonce,
        "cert_req": True,
    }).dump()


def token_from_response(body: bytes, digest: bytes, nonce: int) -> bytes:
    """The token in an authority's answer, after checking it answers our request (status, imprint, nonce)."""
    try:
        response = tsp.TimeStampResp.load(body)
        status = response["status"]["status"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(f"unreadable answer from the time-stamping authority: {exc}") from exc
    if status not in ("granted", "granted_with_mods"):
        text = response["status"]["status_string"].native
        raise TimestampError(f"the time-stamping authority refused: {status} {text or ''}".strip())
    token = response["time_stamp_token"]
    info = token["content"]["encap_content_info"]["content"].parsed
    if info["message_imprint"]["hashed_message"].native != digest:
        raise TimestampError("the time-stamping authority stamped another imprint")
    if info["nonce"].native != nonce:
        raise TimestampError("the time-stamping authority answered with another nonce")
    return token.dump()


class HttpTimestamper:
    """An RFC 3161 authority over HTTP(S): a qualified one in production."""

    def __init__(self, url: str, *, timeout: float, username: str = "", password: str = ""):
        self.url, self.timeout, self.username, self.password = url, timeout, username, password
        self.label = url

    def stamp(self, digest: bytes) -> bytes:
        nonce = secrets.randbits(63)
        request = urllib.request.Request(self.url, data=timestamp_request(digest, nonce), method="POST",  # noqa: S310
                                         headers={"Content-Type": "application/timestamp-query",
                                                  "Accept": "application/timestamp-reply"})
        if self.username:
            import base64

            credentials = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {credentials}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 - configured URL
                body = answer.read(MAX_TOKEN_BYTES + 1)
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise TimestampError(f"time-stamping authority unreachable ({self.url}): {exc}") from exc
        if len(body) > MAX_TOKEN_BYTES:
            raise TimestampError("answer of the time-stamping authority too large")
        return token_from_response(body, digest, nonce)


class LocalTimestamper:
    """The embedded default's own authority (ECDSA P-256), NOT QUALIFIED: its tokens are real RFC 3161
    tokens (`openssl ts -verify` accepts them with its CA), but only as trustworthy as this server."""

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        issuer = settings.EVIDENCE_ISSUER_NAME
        ca_key = keys.load_private_key(keys.write_once(directory / "ca-key.pem", keys.new_p256_pem))
        ca_name = keys.name(f"{issuer} local evidence CA ({keys.NOT_QUALIFIED})", issuer)
        ca_pem = keys.write_once(directory / "ca.crt", lambda: keys.certificate(
            ca_name, ca_key.public_key(), ca_name, ca_key, ca=True, years=30).public_bytes(serialization.Encoding.PEM))
        self.ca = x509.load_pem_x509_certificate(ca_pem)
        self.key = keys.load_private_key(keys.write_once(directory / "tsa-key.pem", keys.new_p256_pem))
        tsa_name = keys.name(f"{issuer} local time-stamping authority ({keys.NOT_QUALIFIED})", issuer)
        tsa_pem = keys.write_once(directory / "tsa.crt", lambda: keys.certificate(
            tsa_name, self.key.public_key(), self.ca.subject, ca_key, ca=False, years=25,
            time_stamping=True).public_bytes(serialization.Encoding.PEM))
        self.certificate = x509.load_pem_x509_certificate(tsa_pem)
        self.cert_asn1 = ax509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER))
        self.label = "local"

    def stamp(self, digest: bytes) -> bytes:
        now = dt.datetime.now(dt.UTC)
        info = tsp.TSTInfo({
            "version": "v1",
            "policy": LOCAL_POLICY_OID,
            "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
            "serial_number": secrets.randbits(63),
            "gen_time": now.replace(microsecond=now.microsecond // 1000 * 1000),
            "accuracy": {"millis": 10},
            "nonce": secrets.randbits(63),
        })
        info_der = info.dump()
        cert_der = self.cert_asn1.dump()
        signing_certificate = {"certs": [{"cert_hash": hashlib.sha256(cert_der).digest()}]}
        signed_attrs = cms.CMSAttributes([
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "message_digest", "values": [hashlib.sha256(info_der).digest()]},
            {"type": "signing_certificate_v2", "values": [signing_certificate]},
        ])
        signature = self.key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
        signer = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
                "issuer": self.cert_asn1.issuer, "serial_number": self.cert_asn1.serial_number}}),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": signed_attrs,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": signature,
        })
        signed_data = cms.SignedData({
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "tst_info", "content": info},
            "certificates": [self.cert_asn1],
            "signer_infos": [signer],
        })
        return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


def local_directory() -> Path:
    return Path(settings.EVIDENCE_LOCAL_TSA_DIR)


@lru_cache(maxsize=4)
def _timestamper(url: str, directory: str):
    if url:
        return HttpTimestamper(url, timeout=settings.EVIDENCE_TSA_TIMEOUT, username=settings.EVIDENCE_TSA_USERNAME,
                               password=settings.EVIDENCE_TSA_PASSWORD)
    return LocalTimestamper(Path(directory))


def timestamper():
    return _timestamper(settings.EVIDENCE_TSA_URL, str(local_directory()))


def trust_roots() -> list[x509.Certificate]:
    """The authorities whose tokens this platform accepts: the roots in EVIDENCE_TSA_TRUST_ROOTS (PEM files)
    and the embedded authority's own CA (made now if this process is the first to need it)."""
    if not settings.EVIDENCE_TSA_URL:
        timestamper()
    return _trust_roots(tuple(settings.EVIDENCE_TSA_TRUST_ROOTS), str(local_directory()))


@lru_cache(maxsize=8)
def _trust_roots(paths: tuple[str, ...], directory: str) -> list[x509.Certificate]:
    roots = []
    for path in paths:
        roots.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
    local_ca = Path(directory) / "ca.crt"
    if local_ca.exists():
        roots.append(x509.load_pem_x509_certificate(local_ca.read_bytes()))
    return roots


def clear_caches() -> None:
    _timestamper.cache_clear()
    _trust_roots.cache_clear()


# --- Checking a token -----------------------------------------------------------------------------------

def _verify_signature(public_key, signature: bytes, data: bytes, hash_name: str, signature_algo: str) -> None:
    algorithm = HASHES[hash_name]()
    if isinstance(public_key, rsa.RSAPublicKey):
        if signature_algo == "rsassa_pss":
            public_key.verify(signature, data, padding.PSS(padding.MGF1(algorithm), padding.PSS.AUTO), algorithm)
        else:
            public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(algorithm))
    elif isinstance(public_key, ed25519.Ed25519PublicKey):
        public_key.verify(signature, data)
    else:
        raise TokenError("unsupported key type of the time-stamping authority")


@lru_cache(maxsize=64)
def _certificate(der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(der)


@lru_cache(maxsize=256)
def _issued_by_cached(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    return _issued_by_cached(cert, issuer)


def _name(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


def verify_token(token_der: bytes, expected_imprint: bytes, roots: list[x509.Certificate]) -> TokenInfo:
    """Check a time-stamp token against the imprint it must carry; TokenError says what is wrong."""
    try:
        content = cms.ContentInfo.load(token_der)
        if content["content_type"].native != "signed_data":
            raise TokenError("the time stamp is not a CMS SignedData")
        signed_data = content["content"]
        encap = signed_data["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            raise TokenError("the time stamp holds no TSTInfo")
        info_der = encap["content"].contents
        info = tsp.TSTInfo.load(info_der)
        imprint = info["message_imprint"]
        hashed_message = imprint["hashed_message"].native
        imprint_algorithm = imprint["hash_algorithm"]["algorithm"].native
        gen_time = info["gen_time"].native
        signers = signed_data["signer_infos"]
        if len(signers) != 1:
            raise TokenError("the time stamp must have exactly one signer")
        signer = signers[0]
        certificates = [_certificate(choice.chosen.dump())
                        for choice in signed_data["certificates"] or [] if choice.name == "certificate"]
        sid = signer["sid"]
        signer_cert = None
        for cert in certificates:
            if sid.name == "issuer_and_serial_number":
                wanted = sid.chosen
                if (cert.serial_number == wanted["serial_number"].native
                        and cert.issuer.public_bytes() == wanted["issuer"].dump()):
                    signer_cert = cert
            else:
                try:
                    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
                except x509.ExtensionNotFound:
                    continue
                if ski == sid.chosen.native:
                    signer_cert = cert
        if signer_cert is None:
            raise TokenError("the time stamp does not carry its authority's certificate")
        hash_name = signer["digest_algorithm"]["algorithm"].native
        if hash_name not in HASHES:
            raise TokenError(f"unsupported digest in the time stamp: {hash_name}")
        signed_attrs = signer["signed_attrs"]
        if not signed_attrs:
            raise TokenError("the time stamp has no signed attributes")
        digest_attr = [attr["values"][0].native for attr in signed_attrs if attr["type"].native == "message_digest"]
        type_attr = [attr["values"][0].native for attr in signed_attrs if attr["type"].native == "content_type"]
        if type_attr != ["tst_info"]:
            raise TokenError("the time stamp's signed content type is not TSTInfo")
        digest = hashes.Hash(HASHES[hash_name]())
        digest.update(info_der)
        if digest_attr != [digest.finalize()]:
            raise TokenError("the time stamp's TSTInfo does not match its signed digest (altered)")
        attrs_der = b"\x31" + signed_attrs.dump()[1:]  # signed over as a SET OF (RFC 5652 section 5.4)
        signature_algo = signer["signature_algorithm"].signature_algo
        _verify_signature(signer_cert.public_key(), signer["signature"].native, attrs_der, hash_name, signature_algo)
    except TokenError:
        raise
    except InvalidSignature as exc:
        raise TokenError("the time stamp's signature is invalid") from exc
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise TokenError(f"unreadable time stamp: {exc}") from exc
    if imprint_algorithm != "sha256" or hashed_message != expected_imprint:
        raise TokenError("the time stamp is over another value than this batch's Merkle root")
    try:
        usage = signer_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or ExtendedKeyUsageOID.TIME_STAMPING not in usage.value:
        raise TokenError("the authority's certificate is not for time-stamping")
    if not signer_cert.not_valid_before_utc <= gen_time <= signer_cert.not_valid_after_utc:
        raise TokenError("the authority's certificate was not valid at the time stamped")
    chain, cert = [signer_cert], signer_cert
    for _depth in range(4):
        root = next((r for r in roots if r == cert or (r.subject == cert.issuer and _issued_by(cert, r))), None)
        if root is not None:
            if not root.not_valid_before_utc <= gen_time <= root.not_valid_after_utc:
                raise TokenError("the trusted root was not valid at the time stamped")
            subject = _name(signer_cert)
            return TokenInfo(gen_time=gen_time, serial=info["serial_number"].native, policy=info["policy"].dotted,
                             tsa_subject=subject, root_subject=_name(root),
                             qualified_label=keys.NOT_QUALIFIED not in subject)
        issuer = next((c for c in certificates if c.subject == cert.issuer and c not in chain and _issued_by(cert, c)),
                      None)
        if issuer is None:
            break
        chain.append(issuer)
        cert = issuer
    raise TokenError(f"the time-stamping authority is not trusted here ({_name(signer_cert)})")


def token_gen_time(token_der: bytes) -> dt.datetime:
    info = cms.ContentInfo.load(token_der)["content"]["encap_content_info"]["content"].parsed
    return info["gen_time"].native


