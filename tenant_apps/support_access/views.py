"""The support entry link on a restaurant host: `/support-access/enter/<token>/`."""

from __future__ import annotations

import logging

from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.db import tenant_connection
from shared_apps.support.services import support_access_enter, support_access_event_record
from tenant_apps.support_access.session import SESSION_KEY, support_user_for

security = logging.getLogger("security")
PANEL_HOME = "/panel/"


@never_cache
@require_GET
def support_access_enter_view(request: HttpRequest, token: str) -> HttpResponse:
    """Spend the link and start a panel session flagged as support. A link for another
    restaurant, used, expired or forged is a 404 (nothing tells them apart)."""
    access = support_access_enter(token=token, restaurant_id=tenant_connection().tenant.pk)
    if access is None:
        raise Http404("No such link.")
    user = support_user_for(access=access)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = access.pk
    support_access_event_record(access_id=access.pk, method="GET", path="(entered)", allowed=True)
    security.info("support access entered", extra={"access": access.pk})
    return HttpResponseRedirect(PANEL_HOME)
