"""Client-side encryption of backups: chunked AES-256-GCM that streams, and signed manifests.

Encrypted file layout (all integers big-endian):

    header  = b"DYSAENC1" | version u8 | chunk_size u32 | key_id 8 bytes | salt 16 | prefix 7
    chunk_i = AES-GCM(file_key, nonce = prefix | i u32 | last u8, aad = header)  (chunk + 16 tag)

The file key is derived from the tenant's backup key and a random salt (HKDF-SHA256), so nonces
never repeat across files. Every chunk is authenticated with the header as associated data, and
the final chunk carries a "last" flag in its nonce, so reordering, truncation and appended bytes
are all detected (the STREAM construction). `key_id` only lets a wrong key be named clearly; it
is an HMAC of the key, not the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared_apps.backups.errors import BackupIntegrityError, WrongKeyError

MAGIC = b"DYSAENC1"
VERSION = 1
KEY_BYTES = 32
DEFAULT_CHUNK_SIZE = 1024 * 1024
TAG_BYTES = 16
_HEADER = struct.Struct(">8sBI8s16s7s")
HEADER_BYTES = _HEADER.size
MAX_CHUNK_SIZE = 64 * 1024 * 1024


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _require_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError(f"a backup key must be {KEY_BYTES} bytes, got {len(key)}")


def key_id(key: bytes) -> str:
    """A public fingerprint of a backup key (16 hex chars), to name keys in errors and records."""
    _require_key(key)
    return hmac.new(key, b"dysa-backup-key-id", hashlib.sha256).hexdigest()[:16]


def _derive(key: bytes, *, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(key)


def _nonce(prefix: bytes, index: int, *, last: bool) -> bytes:
    if index >= 2**32:
        raise BackupIntegrityError("backup has too many chunks")
    return prefix + struct.pack(">IB", index, 1 if last else 0)


@dataclass
class StreamStats:
    """Sizes and SHA-256 of the plaintext and ciphertext that went through a stream."""

    plain_size: int = 0
    encrypted_size: int = 0
    plain_sha256: str = ""
    encrypted_sha256: str = ""


class _HashingWriter:
    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.target.write(data)
        self.digest.update(data)
        self.size += len(data)


def _read_full(source: Readable, size: int) -> bytes:
    """Read exactly `size` bytes unless the stream ends first (pipes return short reads)."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        data = source.read(remaining)
        if not data:
            break
        parts.append(data)
        remaining -= len(data)
    return b"".join(parts)


def encrypt_stream(
    source: Readable,
    target: IO[bytes],
    *,
    key: bytes,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_chunk: Callable[[int], None] | None = None,
) -> StreamStats:
    """Encrypt `source` into `target` chunk by chunk; memory stays at about two chunks."""
    _require_key(key)
    salt, prefix = os.urandom(16), os.urandom(7)
    header = _HEADER.pack(MAGIC, VERSION, chunk_size, bytes.fromhex(key_id(key)), salt, prefix)
    aead = AESGCM(_derive(key, salt=salt, info=b"dysa-backup-file-v1"))
    out = _HashingWriter(target)
    out.write(header)
    plain_digest, plain_size = hashlib.sha256(), 0
    index = 0
    current = _read_full(source, chunk_size)
    while True:
        following = _read_full(source, chunk_size) if len(current) == chunk_size else b""
        last = not following
        plain_digest.update(current)
        plain_size += len(current)
        out.write(aead.encrypt(_nonce(prefix, index, last=last), current, header))
        if on_chunk is not None:
            on_chunk(plain_size)
        if last:
            break
        current, index = following, index + 1
    return StreamStats(
        plain_size=plain_size,
        encrypted_size=out.size,
        plain_sha256=plain_digest.hexdigest(),
        encrypted_sha256=out.digest.hexdigest(),
    )


def _parse_header(header: bytes, key: bytes) -> tuple[int, bytes, bytes]:
    if len(header) < HEADER_BYTES:
        raise BackupIntegrityError("backup is truncated: the encryption header is incomplete")
    magic, version, chunk_size, stored_key_id, salt, prefix = _HEADER.unpack(header)
    if magic != MAGIC:
        raise BackupIntegrityError("not a dysa encrypted backup (bad magic bytes)")
    if version != VERSION:
        raise BackupIntegrityError(f"unsupported backup encryption version {version}")
    if not 0 < chunk_size <= MAX_CHUNK_SIZE:
        raise BackupIntegrityError("backup header is corrupted (impossible chunk size)")
    if stored_key_id.hex() != key_id(key):
        raise WrongKeyError(
            f"backup was encrypted with key {stored_key_id.hex()}, but the key available is "
            f"{key_id(key)} (wrong tenant, or the backup key was rotated)"
        )
    return chunk_size, salt, prefix


def decrypt_chunks(source: IO[bytes], *, key: bytes) -> Iterator[bytes]:
    """Yield authenticated plaintext chunks; raises BackupIntegrityError on any tampering.

    A chunk is only yielded once its tag checked out, but a consumer that needs all-or-nothing
    must still wait for the iterator to finish (truncation is detected at the end).
    """
    _require_key(key)
    header = _read_full(source, HEADER_BYTES)
    chunk_size, salt, prefix = _parse_header(header, key)
    aead = AESGCM(_derive(key, salt=salt, info=b"dysa-backup-file-v1"))
    sealed_size = chunk_size + TAG_BYTES
    index = 0
    current = _read_full(source, sealed_size)
    while True:
        if len(current) < TAG_BYTES:
            raise BackupIntegrityError("backup is truncated: a chunk is incomplete")
        following = _read_full(source, sealed_size) if len(current) == sealed_size else b""
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, index, last=last), current, header)
        except InvalidTag:
            if last:
                raise BackupIntegrityError(
                    "backup is truncated or corrupted: the final chunk does not authenticate"
                ) from None
            raise BackupIntegrityError(
                f"backup is corrupted: chunk {index} does not authenticate"
            ) from None
        if last:
            return
        current, index = following, index + 1


# --- manifests ----------------------------------------------------------------------------


def canonical_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _manifest_mac(key: bytes, body: dict[str, Any]) -> str:
    mac_key = _derive(key, salt=b"", info=b"dysa-backup-manifest-v1")
    return hmac.new(mac_key, canonical_json(body), hashlib.sha256).hexdigest()


def sign_manifest(manifest: dict[str, Any], *, key: bytes) -> dict[str, Any]:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    body["key_id"] = key_id(key)
    return {**body, "signature": _manifest_mac(key, body)}


def load_signed_manifest(raw: bytes, *, key: bytes) -> dict[str, Any]:
    """Parse and authenticate a manifest; any edit to it makes this raise."""
    try:
        manifest = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupIntegrityError("manifest is corrupted (not valid JSON)") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("signature"), str):
        raise BackupIntegrityError("manifest is corrupted (no signature)")
    if manifest.get("key_id") != key_id(key):
        raise WrongKeyError(
            f"backup was made with key {manifest.get('key_id')!s:.16}, but the key available "
            f"is {key_id(key)} (wrong tenant, or the backup key was rotated)"
        )
    body = {k: v for k, v in manifest.items() if k != "signature"}
    if not hmac.compare_digest(manifest["signature"], _manifest_mac(key, body)):
        raise BackupIntegrityError("manifest was tampered with (signature does not match)")
    return manifest
