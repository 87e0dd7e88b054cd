"""The exact bytes that are hashed: canonical JSON and the Merkle tree over record hashes.

Canonical JSON here: keys sorted, no whitespace, UTF-8, no floats (an amount is a string or an integer
of the smallest unit), so that any verifier re-serialises a record to the same bytes. The Merkle tree
separates leaves from nodes (RFC 6962's 0x00 / 0x01 prefixes) so that a node can never pass for a leaf;
an odd node at the end of a level is carried up unchanged. An inclusion proof is the list of
(side, sibling hash) from the leaf to the root: it verifies alone, with nothing but the record's hash.
"""

from __future__ import annotations

import hashlib
import json

ZERO_HASH = "0" * 64
MAX_PROOF_LENGTH = 64


def _refuse_floats(value, path="payload"):
    if isinstance(value, float):
        raise ValueError(f"{path}: floats are not allowed in evidence (use a string or an integer)")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path}: keys must be strings")
            _refuse_floats(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _refuse_floats(item, f"{path}[{index}]")
    elif not (value is None or isinstance(value, str | int | bool)):
        raise ValueError(f"{path}: {type(value).__name__} is not JSON")


def canonical_json(value) -> bytes:
    _refuse_floats(value, "value")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def leaf_hash(item_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(item_hex)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_tree(items_hex: list[str]) -> tuple[str, list[list[list[str]]]]:
    """(root, proofs): the root over the items' leaves and, for each item, its inclusion proof as
    [["L" or "R", sibling hex], ...] from the leaf up."""
    if not items_hex:
        raise ValueError("a Merkle tree needs at least one item")
    level = [leaf_hash(item) for item in items_hex]
    positions = list(range(len(items_hex)))  # index of each item's ancestor in the current level
    proofs: list[list[list[str]]] = [[] for _ in items_hex]
    while len(level) > 1:
        for item, position in enumerate(positions):
            sibling = position ^ 1
            if sibling < len(level):
                proofs[item].append(["L" if sibling < position else "R", level[sibling].hex()])
        level = [node_hash(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
        positions = [position // 2 for position in positions]
    return level[0].hex(), proofs


def root_from_proof(item_hex: str, proof) -> str:
    """The root that `proof` leads to from `item_hex` (ValueError if the proof is malformed)."""
    if not isinstance(proof, list) or len(proof) > MAX_PROOF_LENGTH:
        raise ValueError("malformed inclusion proof")
    node = leaf_hash(item_hex)
    for step in proof:
        if not (isinstance(step, list | tuple) and len(step) == 2 and step[0] in ("L", "R")):
            raise ValueError("malformed inclusion proof")
        sibling = bytes.fromhex(step[1])
        if len(sibling) != 32:
            raise ValueError("malformed inclusion proof")
        node = node_hash(sibling, node) if step[0] == "L" else node_hash(node, sibling)
    return node.hex()
