"""Crypto-shredding: what identifies a patient is stored encrypted under a key of its own submission.

Submissions and their events are append-only, so a patient's answers can never be overwritten.
Instead each submission gets a random 256-bit data key; its answers, its result (the reasons
quote the answers) and the free text staff type on its timeline are stored as AES-GCM envelopes
under that key, and the key lives in ``data_keys``, the one table erasure deletes from. Without
the key the envelopes are noise, in the database, in an export and in any later backup copy.

The data keys themselves are wrapped (AES key wrap, RFC 3394) with a key-encryption key derived
(HKDF-SHA256) from the app's secret key, so a copy of the database without the secret reads
nothing. Drafts and autosaves, which belong to no submission, are sealed under a second key
derived from the same secret: they expire within days, and erasure deletes them.

An envelope is a small JSON object ``{"sealed": 1, "nonce": ..., "data": ...}``; its associated
data names the row and the field (``BT-XXXX-XXXX:answers``), so an envelope copied onto another
row does not open. Format version 1 must stay readable for as long as such rows exist.
"""

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from screening.storage.models import DataKey

FORMAT = 1
NONCE_BYTES = 12
KEYRING = "keyring"
"""Where a session carries the keyring (``Session.info``), so storage functions need only the transaction."""
SEALED_EVENT_FIELDS = ("text", "note")
"""Event fields staff type about the patient (a note, the note with a status change): sealed like the answers."""


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())


@dataclass(frozen=True)
class Keyring:
    """The keys derived from one secret (and the secrets it replaced, to read keys wrapped before a rotation)."""

    kek: bytes
    kek_id: str
    """A short fingerprint of the key-encryption key, stored beside each wrapped key: which secret wrapped it."""
    draft_key: bytes
    previous: Mapping[str, bytes] = field(default_factory=dict)

    @classmethod
    def from_secret(cls, secret: str, previous: Iterable[str] = ()) -> "Keyring":
        kek = _derive(secret, b"screening data-key wrapping v1")
        old = {_fingerprint(k): k for k in (_derive(s, b"screening data-key wrapping v1") for s in previous)}
        return cls(kek, _fingerprint(kek), _derive(secret, b"screening drafts v1"), old)

    def wrap(self, data_key: bytes) -> bytes:
        return aes_key_wrap(self.kek, data_key)

    def unwrap(self, kek_id: str, wrapped: bytes) -> bytes:
        kek = self.kek if kek_id == self.kek_id else self.previous.get(kek_id)
        if kek is None:
            raise KeyMissing(f"data keys wrapped by key {kek_id}, which is not configured (see README, key loss)")
        try:
            return aes_key_unwrap(kek, wrapped)
        except InvalidUnwrap:
            raise KeyMissing(f"the data key does not unwrap with key {kek_id}") from None


class KeyMissing(RuntimeError):
    """The secret that wrapped stored data keys is not the app's: nothing sealed can be read (README: key loss)."""


def _fingerprint(kek: bytes) -> str:
    return hashlib.sha256(b"kek-id" + kek).hexdigest()[:16]


def keyring(tx: Session) -> Keyring:
    return tx.info[KEYRING]


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, value: Any, aad: str) -> dict[str, Any]:
    nonce = os.urandom(NONCE_BYTES)
    data = AESGCM(key).encrypt(nonce, json.dumps(value, separators=(",", ":")).encode(), aad.encode())
    return {"sealed": FORMAT, "nonce": base64.b64encode(nonce).decode(), "data": base64.b64encode(data).decode()}


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and value.get("sealed") == FORMAT


def unseal(key: bytes, envelope: dict[str, Any], aad: str) -> Any:
    """The value; an envelope that does not open under this key (tampered, or moved to another row) raises."""
    nonce, data = base64.b64decode(envelope["nonce"]), base64.b64decode(envelope["data"])
    try:
        return json.loads(AESGCM(key).decrypt(nonce, data, aad.encode()))
    except InvalidTag:
        raise ValueError(f"a sealed value does not open ({aad})") from None


def open_or_plain(key: bytes | None, value: Any, aad: str) -> Any:
    """A sealed value opened (None when its key was shredded); a plain one as it is (drafts saved before sealing)."""
    if not is_sealed(value):
        return value
    return None if key is None else unseal(key, value, aad)


def store_keys(tx: Session, keys: Mapping[int, bytes]) -> None:
    ring = keyring(tx)
    rows = [{"submission_id": sid, "kek_id": ring.kek_id, "wrapped": ring.wrap(key)} for sid, key in keys.items()]
    if rows:
        tx.execute(insert(DataKey.__table__), rows)


def keys_of(tx: Session, submission_ids: Iterable[int]) -> dict[int, bytes]:
    """The data keys of the submissions that still have one (an erased submission has none)."""
    ids = list(submission_ids)
    if not ids:
        return {}
    ring = keyring(tx)
    query = select(DataKey.submission_id, DataKey.kek_id, DataKey.wrapped).where(DataKey.submission_id.in_(ids))
    return {row.submission_id: ring.unwrap(row.kek_id, row.wrapped) for row in tx.execute(query)}


def shred(tx: Session, submission_ids: Iterable[int]) -> int:
    """Delete the data keys: from now on nothing sealed under them can be read, anywhere. Returns how many."""
    ids = list(submission_ids)
    if not ids:
        return 0
    return tx.execute(delete(DataKey).where(DataKey.submission_id.in_(ids))).rowcount


def rewrap(tx: Session) -> int:
    """Wrap every data key under the current secret (after a rotation); returns how many were rewrapped."""
    ring = keyring(tx)
    query = select(DataKey.submission_id, DataKey.kek_id, DataKey.wrapped).where(DataKey.kek_id != ring.kek_id)
    count = 0
    for row in tx.execute(query).all():
        wrapped = ring.wrap(ring.unwrap(row.kek_id, row.wrapped))
        tx.execute(
            update(DataKey)
            .where(DataKey.submission_id == row.submission_id)
            .values(kek_id=ring.kek_id, wrapped=wrapped)
        )
        count += 1
    return count


def seal_event(key: bytes, data: dict[str, Any], aad: str) -> dict[str, Any]:
    return {k: seal(key, v, f"{aad}:{k}") if k in SEALED_EVENT_FIELDS else v for k, v in data.items()}


def open_event(key: bytes | None, data: dict[str, Any], aad: str) -> dict[str, Any]:
    return {k: open_or_plain(key, v, f"{aad}:{k}") if k in SEALED_EVENT_FIELDS else v for k, v in data.items()}
