"""What the hot path learnt about a request, carried on it as one typed object.

The cached-read middleware or the throttle counts a request (once) and may fetch cache entries
in the same round trip; the throttle and the view then find both here instead of counting or
fetching again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from rest_framework.request import Request

_ATTRIBUTE = "dysa_hot_path"


@dataclass(frozen=True)
class WindowCount:
    """This request counted in its scope's current window, and what was fetched with it."""

    scope: str
    ident: str
    count: int
    limit: int
    window_ends_at: float
    fetched: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    def wait(self) -> float:
        return max(0.0, self.window_ends_at - time.time())


@dataclass
class HotPath:
    # The request's count in the rate limit, once counted.
    count: WindowCount | None = None
    # Cache entries read together with the count (`cache.get_many` form), for the view.
    fetched: Mapping[str, object] | None = None


def hot_path(request: HttpRequest | Request) -> HotPath:
    """The request's hot-path state (created empty on first use); a DRF request shares its
    Django request's."""
    django_request = request._request if isinstance(request, Request) else request
    state = django_request.__dict__.get(_ATTRIBUTE)
    if state is None:
        state = HotPath()
        django_request.__dict__[_ATTRIBUTE] = state
    return state
