from django.apps import AppConfig


class SupportAccessConfig(AppConfig):
    """The restaurant side of support: feeding the cross-restaurant search index, the support
    session in the panel (entry link, middleware), and the owner's access log and switch.

    It has no tables of its own: what it writes lives in the public schema (shared_apps.support).
    """

    name = "tenant_apps.support_access"
    label = "support_access"
    verbose_name = "Support access (restaurant side)"
