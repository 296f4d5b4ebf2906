"""Where the assistant may send a model request: strict base URLs, public addresses only.

Managers choose the model server's base URL, so it is an SSRF vector: loopback, link-local
(169.254.169.254, the cloud metadata service), private ranges and internal names must not be
reachable through it unless the operator allows them (DYSA_LLM_PRIVATE_ALLOWED: host names
such as `ollama` or `localhost`, and networks such as `10.0.0.0/8`, for a private model
server like a local Ollama).

Two checks, one rule:
- `base_url_problem` when the URL is saved: shape (http/https, a host, no user info, no `?`
  or `#` anywhere, a plain path without dot segments) and, for an IP literal or a host name
  that resolves now, the address rule;
- `pinned_target` at every connect: the host name is resolved, every address must pass, and
  the request goes to the checked address (the Host header and TLS name stay the original),
  so a DNS answer that changes between the check and the connect (rebinding) cannot reach a
  private address.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

MAX_URL_LENGTH: Final = 300
_HOST_LABEL: Final = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SAFE_PATH: Final = re.compile(r"^[A-Za-z0-9/._~-]*$")

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class EgressRefusedError(Exception):
    """The model server's address is not one the assistant may connect to."""


@dataclass(frozen=True)
class PinnedTarget:
    url: str  # the request URL with the checked IP address as its host
    host_header: str
    sni_hostname: str | None  # for https: the name the certificate must match


def _allowed_entries() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    names: set[str] = set()
    networks = []
    for raw in settings.DYSA_LLM_PRIVATE_ALLOWED:
        entry = raw.strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry)
    return names, networks


def _plain(address: IpAddress) -> IpAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_allowed(address: IpAddress, *, hostname: str) -> bool:
    """Public unicast addresses always; others only as the operator allows."""
    address = _plain(address)
    if address.is_global and not address.is_multicast:
        return True
    names, networks = _allowed_entries()
    return hostname.lower() in names or any(address in network for network in networks)


def _valid_hostname(hostname: str) -> bool:
    try:
        ipaddress.ip_address(hostname)
        return True
    except ValueError:
        pass
    labels = hostname.rstrip(".").split(".")
    return len(hostname) <= 253 and all(_HOST_LABEL.match(label) for label in labels)


def _resolve(hostname: str, port: int) -> list[IpAddress]:
    try:
        return [ipaddress.ip_address(hostname)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise EgressRefusedError(f"cannot resolve {hostname}") from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _shape_problem(url: str) -> str:
    """What is wrong with the URL's text, before any address is looked at."""
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        port_ok = parts.port != 0
    except ValueError:
        return "is not a valid URL"
    hostname = parts.hostname or ""
    problems = (
        (
            any(c.isspace() or ord(c) < 32 or ord(c) == 127 or c == "\\" for c in url),
            "is not a valid URL",
        ),
        ("?" in url or "#" in url, "must not have a query string or fragment"),
        (parts.scheme not in {"http", "https"}, "must start with http:// or https://"),
        (
            "@" in parts.netloc,
            "must not contain a user name or password; send the key as api_key",
        ),
        (not hostname or not port_ok or not _valid_hostname(hostname), "is not a valid URL"),
        (
            not _SAFE_PATH.match(parts.path)
            or any(segment in {".", ".."} for segment in parts.path.split("/")),
            "must be a plain path (letters, digits, / . _ ~ -)",
        ),
    )
    return next((message for failed, message in problems if failed), "")


def base_url_problem(url: str) -> str:
    """Why `url` cannot be a model server's base URL ("" when it can)."""
    problem = _shape_problem(url)
    if problem:
        return problem
    parts = urlsplit(url)
    hostname = parts.hostname or ""
    try:
        addresses = _resolve(hostname, parts.port or 443)
    except EgressRefusedError:
        return ""  # not resolvable now (the server may not be up): checked at every connect
    if not all(address_allowed(a, hostname=hostname) for a in addresses):
        return (
            "points to a private, loopback or link-local address; the operator must allow "
            "it (DYSA_LLM_PRIVATE_ALLOWED)"
        )
    return ""


def pinned_target(url: str) -> PinnedTarget:
    """The request target for `url`, connected to a checked address; EgressRefusedError if
    the URL breaks the rules or any address its host resolves to is not allowed."""
    problem = base_url_problem(url)
    if problem:
        raise EgressRefusedError(f"model server URL {problem}")
    parts = urlsplit(url)
    hostname = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = _resolve(hostname, port)
    if not addresses or not all(address_allowed(a, hostname=hostname) for a in addresses):
        raise EgressRefusedError("the model server resolves to an address that is not allowed")
    address = addresses[0]
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    return PinnedTarget(
        url=urlunsplit((parts.scheme, netloc, parts.path, "", "")),
        host_header=parts.netloc,
        sni_hostname=hostname if parts.scheme == "https" else None,
    )
