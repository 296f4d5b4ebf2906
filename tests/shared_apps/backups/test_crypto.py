from __future__ import annotations

import io
import json
import os

import pytest

from shared_apps.backups import crypto
from shared_apps.backups.errors import BackupIntegrityError, WrongKeyError

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
CHUNK = 1024


def _encrypt(plain: bytes, key: bytes = KEY) -> tuple[bytes, crypto.StreamStats]:
    out = io.BytesIO()
    stats = crypto.encrypt_stream(io.BytesIO(plain), out, key=key, chunk_size=CHUNK)
    return out.getvalue(), stats


def _decrypt(sealed: bytes, key: bytes = KEY) -> bytes:
    return b"".join(crypto.decrypt_chunks(io.BytesIO(sealed), key=key))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 17])
def test_encrypted_stream_round_trips_any_length(size: int) -> None:
    plain = os.urandom(size)

    sealed, stats = _encrypt(plain)

    assert _decrypt(sealed) == plain
    assert stats.plain_size == size
    assert stats.encrypted_size == len(sealed)
    assert size < 16 or plain not in sealed


def test_same_plaintext_encrypts_differently_each_time() -> None:
    plain = b"x" * 5000

    assert _encrypt(plain)[0] != _encrypt(plain)[0]


def test_wrong_key_is_named_as_such() -> None:
    sealed, _ = _encrypt(b"secret menu" * 100)

    with pytest.raises(WrongKeyError, match="encrypted with key"):
        _decrypt(sealed, OTHER_KEY)


@pytest.mark.parametrize("position", [crypto.HEADER_BYTES + 5, -20, -1])
def test_flipped_byte_is_detected(position: int) -> None:
    sealed = bytearray(_encrypt(os.urandom(3 * CHUNK))[0])
    sealed[position] ^= 0x01

    with pytest.raises(BackupIntegrityError, match="corrupted"):
        _decrypt(bytes(sealed))


@pytest.mark.parametrize("cut", [1, 100, CHUNK + 16])
def test_truncated_stream_is_detected(cut: int) -> None:
    sealed = _encrypt(os.urandom(3 * CHUNK + 10))[0]

    with pytest.raises(BackupIntegrityError, match=r"truncated|corrupted"):
        _decrypt(sealed[:-cut])


def test_stream_cut_at_a_chunk_boundary_is_detected() -> None:
    sealed = _encrypt(os.urandom(3 * CHUNK))[0]
    whole_chunks = crypto.HEADER_BYTES + 2 * (CHUNK + crypto.TAG_BYTES)

    with pytest.raises(BackupIntegrityError, match="truncated"):
        _decrypt(sealed[:whole_chunks])


def test_appended_bytes_are_detected() -> None:
    sealed = _encrypt(os.urandom(2 * CHUNK))[0]

    with pytest.raises(BackupIntegrityError):
        _decrypt(sealed + b"extra")


def test_header_only_is_truncated() -> None:
    with pytest.raises(BackupIntegrityError, match="truncated"):
        _decrypt(_encrypt(b"abc")[0][:10])


def test_signed_manifest_loads_and_detects_edits() -> None:
    manifest = crypto.sign_manifest({"schema": "t_x", "tables": {"a": {"rows": 3}}}, key=KEY)
    raw = crypto.canonical_json(manifest)

    assert crypto.load_signed_manifest(raw, key=KEY)["tables"]["a"]["rows"] == 3
    edited = json.loads(raw)
    edited["tables"]["a"]["rows"] = 4
    with pytest.raises(BackupIntegrityError, match="tampered"):
        crypto.load_signed_manifest(json.dumps(edited).encode(), key=KEY)
    with pytest.raises(WrongKeyError):
        crypto.load_signed_manifest(raw, key=OTHER_KEY)
    with pytest.raises(BackupIntegrityError, match="not valid JSON"):
        crypto.load_signed_manifest(raw[:-3], key=KEY)
