"""Authentication of API requests: JWT access/refresh tokens for both hosts, signed with the
current schema's own key, and integrations' API keys on restaurant hosts.

On a restaurant host the key is that restaurant's (`tenants.secrets`), on the platform host the
platform's ("public"). Tokens name their schema in the `schema` claim and carry the key version
in the `kid` header; a token presented on any other host fails twice over (wrong key, wrong
claim). Refresh tokens rotate on use and belong to a session (`sid`); revoking a refresh token
revokes its whole session, access tokens included, through a denylist in the public schema.

A session has an absolute end (`sxp`, DYSA_SESSION_MAX_SECONDS after login) that refreshing
never moves, and every token carries the user's credential fingerprint (`cred`, an HMAC of
the password hash, role and active flag, the same one Django checks for panel sessions):
changing or resetting the password, disabling the account or changing its role ends every
session of that user at once. A denylisted session stays denylisted until its absolute end,
after which none of its tokens can verify anyway, so pruning never revives one.

PyJWT directly rather than simplejwt: simplejwt has one global signing key.

An integration sends `X-API-Key: dysa_...` (or `Authorization: Api-Key dysa_...`). The key
belongs to one restaurant: on any other host it is unknown, hence a 401.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, QuerySet
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from core.db import current_schema_name
from core.numbers import parse_id
from tenants import secrets
from tenants.models import RevokedToken

ALGORITHM = "HS256"
ISSUER = "dysa"
ACCESS = "access"
REFRESH = "refresh"
_REQUIRED_CLAIMS = ["exp", "iat", "jti", "sub", "schema", "typ", "sid", "sxp", "cred"]


class InvalidToken(exceptions.AuthenticationFailed):
    default_detail = "The token is invalid or expired."
    default_code = "token_not_valid"


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def _now() -> datetime:
    return datetime.now(tz=UTC)


def _encode(claims: dict[str, Any], *, schema_name: str) -> str:
    version, key = secrets.jwt_signing_key_versioned(schema_name=schema_name)
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": str(version)})


def credential_fingerprint(user: AbstractBaseUser) -> str:
    """What a token remembers of the user's credentials: it stops matching when the password,
    the role or the active flag changes (accounts.User.get_session_auth_hash)."""
    return user.get_session_auth_hash()[:32]


def _credentials_match(user: AbstractBaseUser, claims: dict[str, Any]) -> bool:
    presented = str(claims.get("cred", ""))
    current = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(hmac.compare_digest(presented, value[:32]) for value in current)


def _issue(*, user: AbstractBaseUser, schema_name: str, sid: str, ends: datetime) -> TokenPair:
    now = _now()
    if now >= ends:
        raise InvalidToken()
    common = {
        "iss": ISSUER,
        "schema": schema_name,
        "sub": str(user.pk),
        "role": getattr(user, "role", ""),
        "sid": sid,
        "sxp": int(ends.timestamp()),
        "cred": credential_fingerprint(user),
        "iat": now,
    }
    access = {
        **common,
        "typ": ACCESS,
        "jti": uuid.uuid4().hex,
        "exp": min(ends, now + timedelta(seconds=settings.DYSA_JWT_ACCESS_SECONDS)),
    }
    refresh = {
        **common,
        "typ": REFRESH,
        "jti": uuid.uuid4().hex,
        "exp": min(ends, now + timedelta(seconds=settings.DYSA_JWT_REFRESH_SECONDS)),
    }
    return TokenPair(
        access=_encode(access, schema_name=schema_name),
        refresh=_encode(refresh, schema_name=schema_name),
    )


def token_pair_issue(*, user: AbstractBaseUser) -> TokenPair:
    """A new session for `user`, who belongs to the schema active on the connection."""
    ends = _now() + timedelta(seconds=settings.DYSA_SESSION_MAX_SECONDS)
    return _issue(user=user, schema_name=current_schema_name(), sid=uuid.uuid4().hex, ends=ends)


def _key_version(token: str) -> int:
    try:
        kid = jwt.get_unverified_header(token).get("kid", "")
    except jwt.PyJWTError:
        raise InvalidToken() from None
    try:
        return parse_id(kid)
    except ValueError:
        raise InvalidToken() from None


def _session_end(claims: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(int(claims["sxp"]), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise InvalidToken() from None


def _verified_claims(
    token: str, key: str | None, *, schema_name: str, expected_type: str
) -> dict[str, Any]:
    """The claims of a token signed with `key` for this schema, or InvalidToken."""
    if key is None:
        raise InvalidToken()
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": _REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError:
        raise InvalidToken() from None
    if claims["schema"] != schema_name or claims["typ"] != expected_type:
        raise InvalidToken()
    if _session_end(claims) <= _now():
        raise InvalidToken()
    return claims


def token_decode(token: str, *, expected_type: str, check_revoked: bool = True) -> dict[str, Any]:
    """The claims of a token valid on the current host, or InvalidToken."""
    schema_name = current_schema_name()
    kid = _key_version(token)
    key = secrets.jwt_verification_keyring(schema_name=schema_name).get(kid)
    claims = _verified_claims(token, key, schema_name=schema_name, expected_type=expected_type)
    if check_revoked and _is_revoked(claims["jti"], claims["sid"]):
        raise InvalidToken()
    return claims


def _denylisted(*ids: str) -> QuerySet[RevokedToken]:
    return RevokedToken.objects.filter(jti__in=ids)


def _is_revoked(*ids: str) -> bool:
    return _denylisted(*ids).exists()


def _access_principal(token: str) -> tuple[AbstractBaseUser, dict[str, Any]]:
    """The user and claims of an access token valid on this host, or InvalidToken.

    What `token_decode` + `_user_for` check, in one round trip (this runs on every
    authenticated request): the user row comes annotated with the key its `kid` names (NULL
    unless current or in grace) and with whether its token or session is denylisted. The ids
    in that query are read from the payload before its signature is checked; the answer is
    used only once the signature verifies with the key read, and then for the same ids (all an
    unsigned token can learn is whether a user id is active here, and ids are no secret).
    """
    schema_name = current_schema_name()
    kid = _key_version(token)
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        user_id, jti, sid = parse_id(unverified["sub"]), unverified["jti"], unverified["sid"]
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        raise InvalidToken() from None
    if not (isinstance(jti, str) and isinstance(sid, str)):
        raise InvalidToken()
    user = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True)
        .annotate(
            jwt_key_ciphertext=secrets.jwt_verification_ciphertext(
                schema_name=schema_name, version=kid
            ),
            jwt_revoked=Exists(_denylisted(jti, sid)),
        )
        .first()
    )
    if user is None:
        raise InvalidToken()
    # Off the instance: request.user outlives authentication (and may be logged).
    ciphertext, revoked = user.__dict__.pop("jwt_key_ciphertext"), user.__dict__.pop("jwt_revoked")
    key = secrets.jwt_key_decrypt(ciphertext) if ciphertext is not None else None
    claims = _verified_claims(token, key, schema_name=schema_name, expected_type=ACCESS)
    if revoked or not _credentials_match(user, claims):
        raise InvalidToken()
    return user, claims


def _user_for(claims: dict[str, Any]) -> AbstractBaseUser:
    try:
        user_id = parse_id(claims["sub"])
    except ValueError:
        raise InvalidToken() from None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not _credentials_match(user, claims):
        raise InvalidToken()
    return user


def _denylist(jti: str, *, schema_name: str, expires: datetime) -> bool:
    """Add an id to the denylist; False when it was already there (a replayed token)."""
    try:
        with transaction.atomic():
            RevokedToken.objects.create(jti=jti, schema_name=schema_name, expires_at=expires)
    except IntegrityError:
        return False
    return True


def token_pair_refresh(*, refresh: str) -> TokenPair:
    """Trade a refresh token for a new pair; the old refresh token stops working.

    Presenting an already-used refresh token is a sign it was stolen: the whole session ends,
    for good (its denylist entry lasts until the session's absolute end, when every token of
    the session is dead anyway, so pruning cannot bring it back).
    """
    claims = token_decode(refresh, expected_type=REFRESH, check_revoked=False)
    if _is_revoked(claims["sid"]):
        raise InvalidToken()
    user = _user_for(claims)
    session_end = _session_end(claims)
    if not _denylist(claims["jti"], schema_name=claims["schema"], expires=session_end):
        _denylist(claims["sid"], schema_name=claims["schema"], expires=session_end)
        raise InvalidToken()
    return _issue(user=user, schema_name=claims["schema"], sid=claims["sid"], ends=session_end)


def token_revoke(*, refresh: str) -> None:
    """End the session of a refresh token: it and every access token of the session stop."""
    claims = token_decode(refresh, expected_type=REFRESH)
    _denylist(claims["sid"], schema_name=claims["schema"], expires=_session_end(claims))
    revoked_tokens_prune()


def revoked_tokens_prune() -> int:
    """Forget denylist entries whose session has ended: no token they name can verify."""
    deleted, _ = RevokedToken.objects.filter(expires_at__lt=_now()).delete()
    return deleted


class JWTAuthentication(BaseAuthentication):
    """`Authorization: Bearer <access token>`; other bearer tokens are left to other classes.

    Only JWT-shaped bearer values are claimed, so endpoints with their own bearer tokens (the
    chat widget's visitor token) can add their authentication class next to this one.
    """

    keyword = b"bearer"
    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, dict[str, Any]] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword:
            return None
        try:
            token = parts[1].decode()
        except UnicodeDecodeError:
            return None
        if not token.startswith("eyJ") or token.count(".") != 2:
            return None
        return _access_principal(token)

    def authenticate_header(self, request: Request) -> str:
        return f'Bearer realm="{self.www_authenticate_realm}"'


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """How the OpenAPI schema (Swagger UI's Authorize button) describes JWTAuthentication."""

    target_class = "tenants.auth.JWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Access token from auth/token/ on this host (each host signs its own).",
        }


API_KEY_HEADER = "X-API-Key"
AUTHORIZATION_SCHEME = b"api-key"


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """Who a request authenticated by API key is; its permissions are API_KEY_PERMISSIONS."""

    key_id: int
    name: str
    prefix: str

    is_api_key = True
    is_authenticated = True
    is_anonymous = False
    is_active = True
    role = "integration"

    @property
    def pk(self) -> str:
        # Throttle and audit identity, distinct from every user id.
        return f"apikey-{self.key_id}"

    @property
    def label(self) -> str:
        return f"api-key:{self.name} ({self.prefix})"


def _presented_key(request: Request) -> str | None:
    header = request.headers.get(API_KEY_HEADER)
    if header:
        return header.strip()
    parts = get_authorization_header(request).split()
    if len(parts) == 2 and parts[0].lower() == AUTHORIZATION_SCHEME:
        try:
            return parts[1].decode()
        except UnicodeDecodeError:
            return ""
    return None


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        plaintext = _presented_key(request)
        if plaintext is None:
            return None
        key = secrets.api_key_verify(schema_name=current_schema_name(), plaintext=plaintext)
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        return ApiKeyPrincipal(key_id=key.pk, name=key.name, prefix=key.prefix), key

    def authenticate_header(self, request: Request) -> str:
        return 'Api-Key realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """How the OpenAPI schema describes ApiKeyAuthentication."""

    target_class = "tenants.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "An integration key created by the owner (staff/api-keys/).",
        }
