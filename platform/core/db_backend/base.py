"""django-tenants' PostgreSQL backend with the restaurant's search_path carried by every
transaction (`SET LOCAL`) instead of left on the session: safe behind PgBouncer in transaction
pooling mode (ADR 0011; on with DYSA_PGBOUNCER_TRANSACTION_MODE).

In transaction pooling a client's consecutive transactions may run on different server
connections, so django-tenants' session-level `SET search_path` (once per schema switch) would
leave one restaurant's path for whoever gets that server connection next. Here nothing is set on
the session; each statement that starts a transaction, and each one that runs in autocommit
(its own transaction), is sent as `SET LOCAL search_path = ...; <statement>` in one simple-query
message. PostgreSQL runs the two in one transaction, so PgBouncer keeps them on one server
connection, and the path ends with the transaction: no extra round trip, no session state.
Within a transaction the prefix is sent again only when the schema changed, or after a
savepoint rollback (which undoes a `SET LOCAL` made after the savepoint).

Statements psycopg cannot send that way (executemany's pipeline, an explicit pipeline, COPY,
streaming) get the path from a statement of its own inside their transaction; in autocommit
they are wrapped in one.
Not for a direct connection that needs session state: migrations, advisory locks held across
transactions and `CREATE INDEX CONCURRENTLY` run without this setting (docs/operations.md).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import NotSupportedError
from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
    Cursor as DjangoCursor,
)
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.utils import quote_schema_name
from psycopg import sql
from psycopg.pq import TransactionStatus


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The `SET LOCAL` already in force in the open transaction (None: none yet).
        self.path_in_transaction: str | None = None
        super().__init__(*args, **kwargs)

    def _handle_search_path(self, cursor: Any = None) -> None:
        """No session-level `SET search_path`: the cursors below send it per transaction."""

    def search_path_statement(self) -> str:
        paths = ", ".join(quote_schema_name(path) for path in self._get_cursor_search_paths())
        return f"SET LOCAL search_path = {paths}"

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        wrapper = weakref.proxy(self)
        connection.cursor_factory = type(
            "TransactionPathCursor", (TransactionPathCursor,), {"wrapper": wrapper}
        )
        self.path_in_transaction = None
        return connection

    def _savepoint_rollback(self, sid: str) -> None:
        super()._savepoint_rollback(sid)
        self.path_in_transaction = None


class TransactionPathCursor(DjangoCursor):
    """Django's client-side-binding cursor, sending the search_path with each transaction."""

    wrapper: DatabaseWrapper

    def _path_needed(self) -> str | None:
        """The `SET LOCAL` this statement must carry, or None when already in force."""
        status = self.connection.info.transaction_status
        if status == TransactionStatus.INERROR:
            return None  # the statement fails anyway; ROLLBACK needs no path
        wanted = self.wrapper.search_path_statement()
        if self.connection.autocommit:
            return wanted  # each statement is its own transaction
        if status == TransactionStatus.IDLE:
            self.wrapper.path_in_transaction = None  # psycopg opens a new transaction now
        if self.wrapper.path_in_transaction == wanted:
            return None
        self.wrapper.path_in_transaction = wanted
        return wanted

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        _refuse_session_advisory_lock(query)
        if self.connection._pipeline is not None:  # one statement per message there
            with self._path_in_own_transaction():
                return super().execute(query, params, **kwargs)
        prefix = self._path_needed()
        if prefix is None:
            return super().execute(query, params, **kwargs)
        super().execute(_prefixed(prefix, query, params), params, **kwargs)
        self.nextset()  # the statement's own result, not the SET's
        return self

    def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        with self._path_in_own_transaction():
            super().executemany(query, params_seq, **kwargs)

    @contextmanager
    def copy(self, statement: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with self._path_in_own_transaction(), super().copy(statement, *args, **kwargs) as copy:
            yield copy

    def stream(self, query: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with self._path_in_own_transaction():
            yield from super().stream(query, *args, **kwargs)

    @contextmanager
    def _path_in_own_transaction(self) -> Iterator[None]:
        """For what cannot carry the prefix: a separate `SET LOCAL` in the same transaction."""
        if self.connection.autocommit:
            with self.connection.transaction():
                super().execute(self.wrapper.search_path_statement())
                yield
            return
        prefix = self._path_needed()
        if prefix is not None:
            super().execute(prefix)
        yield


_SESSION_ADVISORY_LOCK = re.compile(r"pg_(try_)?advisory_(un)?lock(_shared)?\s*\(", re.IGNORECASE)


def _refuse_session_advisory_lock(query: Any) -> None:
    """A session-level advisory lock stays on whichever server connection took it: the unlock
    may run on another one and the lock outlives its holder. Loud here, not a silent hang."""
    if isinstance(query, str) and _SESSION_ADVISORY_LOCK.search(query):
        raise NotSupportedError(
            "session-level advisory locks do not survive PgBouncer transaction pooling; run this "
            "on a direct connection (without DYSA_PGBOUNCER_TRANSACTION_MODE)"
        )


def _prefixed(prefix: str, query: Any, params: Any) -> Any:
    if isinstance(query, sql.Composable):
        return sql.Composed([sql.SQL(prefix + "; "), query])
    if params is not None:
        prefix = prefix.replace("%", "%%")  # placeholders are only the statement's own
    if isinstance(query, bytes):
        return prefix.encode() + b"; " + query
    return f"{prefix}; {query}"
