"""Anonymous visitor tokens for the web chat: a JWT naming one conversation.

Signed (HS256) with the restaurant's own key from the tenant secret store, so a token minted
for one restaurant is worthless on another, and rotating that key (with its grace period)
retires visitor tokens like staff ones. The audience claim keeps a visitor token from ever
passing as a staff token, which is signed with the same key.
"""

from __future__ import annotations

from datetime import timedelta

import jwt
from django.utils import timezone

from core.numbers import parse_id
from tenants.secrets import jwt_signing_key_versioned, jwt_verification_keyring

AUDIENCE = "dysa:webchat"
ALGORITHM = "HS256"
LIFETIME = timedelta(days=30)


def visitor_token_issue(*, schema_name: str, conversation_id: int) -> str:
    version, key = jwt_signing_key_versioned(schema_name=schema_name)
    now = timezone.now()
    claims = {
        "aud": AUDIENCE,
        "sub": str(conversation_id),
        "tenant": schema_name,
        "iat": int(now.timestamp()),
        "exp": int((now + LIFETIME).timestamp()),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": str(version)})


def visitor_token_conversation_id(*, schema_name: str, token: str) -> int | None:
    """The conversation a valid token names, or None for anything else (never raises)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None
    keyring = jwt_verification_keyring(schema_name=schema_name)
    try:
        kid: int | None = parse_id(header.get("kid", ""))
    except ValueError:
        kid = None
    candidates = [keyring[kid]] if kid in keyring else []
    for key in candidates or keyring.values():
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], audience=AUDIENCE)
        except jwt.PyJWTError:
            continue
        if claims.get("tenant") != schema_name:
            return None
        try:
            return parse_id(str(claims.get("sub", "")))
        except ValueError:
            return None
    return None
