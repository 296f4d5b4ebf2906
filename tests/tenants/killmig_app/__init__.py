"""A tenant app that exists only for tests/tenants/test_killed_migrations.py.

It is installed only when DYSA_TEST_EXTRA_TENANT_APPS names it (config.settings.test), which
that test sets for the `manage.py` subprocesses it runs against a database of their own: its
migration never reaches the real apps, the shared test database or its template.
"""
