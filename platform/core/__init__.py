"""The bottom layer: framework glue every app may import (docs/architecture.md, ADR 0008).

API building blocks (`core.api`: TenantApiView, strict input, pagination; `core.api_errors`:
problem JSON), the resource cache and the hot path, the schema-switching connection
(`core.db`), logging and request context, i18n fields, management command output. Nothing
here imports a project app or `config`; when an app must plug in (the permission check of
TenantApiView), it does so through a setting or a registry that `config` wires.
"""
