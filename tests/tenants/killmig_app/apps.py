from django.apps import AppConfig


class KillmigConfig(AppConfig):
    name = "tests.tenants.killmig_app"
    label = "killmig"
    verbose_name = "Killed migration probe (tests only)"
