"""What Citus schema-based sharding would reject in the live schema layout (`schemas citus-check`).

The scale-out path (docs/operations.md, "Scaling out"): every restaurant schema becomes a
distributed schema (`citus_schema_distribute`, all its tables on one node, moved whole) and the
public tables become reference tables (`create_reference_table`, copied to every node). That
works only if the layout keeps to what Citus supports; this reads the catalog and reports each
departure, grouped across schemas (a problem in the template repeats in every restaurant):

- error `fk-into-tenant-schema`: a foreign key from one schema into a restaurant schema (from a
  reference table or another restaurant: Citus refuses both);
- error `fk-leaves-tenant-schema`: a restaurant table referring to a public table (Citus would
  accept it towards a reference table, but the house rule forbids it: such a schema can no
  longer be moved, restored or dropped on its own);
- error `inheritance`, `multi-level-partitioning`, `rule`, `foreign-table`: features Citus does not
  distribute;
- warning `small-sequence`: a serial/identity column or sequence narrower than bigint (Citus
  encodes the node in generated values only for bigint: inserts on workers fail);
- warning `sequence-outside-schema`: a column's sequence lives in another schema;
- warning `trigger`: user triggers run only with `citus.enable_unsafe_triggers`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
ERROR = "error"
WARNING = "warning"
TENANT = "<tenant>"

# Every query returns (kind, source schema, relation, detail, other schema or NULL); system
# schemas (pg_*, information_schema) are left out.
_QUERIES: dict[str, str] = {
    "foreign-keys": """
        SELECT 'fk', sn.nspname, sc.relname,
               con.conname || ' -> ' || dc.relname, dn.nspname
        FROM pg_constraint con
        JOIN pg_class sc ON sc.oid = con.conrelid JOIN pg_namespace sn ON sn.oid = sc.relnamespace
        JOIN pg_class dc ON dc.oid = con.confrelid JOIN pg_namespace dn ON dn.oid = dc.relnamespace
        WHERE con.contype = 'f' AND sn.nspname <> dn.nspname
          AND sn.nspname !~ '^(pg_|information_schema$)'
    """,
    "sequences": """
        SELECT 'seq', n.nspname, c.relname,
               a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                   || ' uses ' || s.relname || ' (' || format_type(seq.seqtypid, NULL) || ')',
               sn.nspname
        FROM pg_depend d
        JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_sequence seq ON seq.seqrelid = s.oid
        JOIN pg_namespace sn ON sn.oid = s.relnamespace
        JOIN pg_class c ON c.oid = d.refobjid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.deptype IN ('a', 'i') AND n.nspname <> 'public'
          AND n.nspname !~ '^(pg_|information_schema$)'
          AND (seq.seqtypid <> 'int8'::regtype OR a.atttypid <> 'int8'::regtype
               OR sn.nspname <> n.nspname)
    """,
    "inheritance": """
        SELECT CASE WHEN c.relkind = 'p' THEN 'multi' ELSE 'inherit' END, n.nspname,
               c.relname, 'child of ' || p.relname, pn.nspname
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
        WHERE (NOT c.relispartition OR c.relkind = 'p')
          AND n.nspname !~ '^(pg_|information_schema$)'
    """,
    "rules": """
        SELECT 'rule', n.nspname, c.relname, r.rulename, NULL
        FROM pg_rewrite r
        JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE r.rulename <> '_RETURN'
          AND n.nspname !~ '^(pg_|information_schema$)'
    """,
    "triggers": """
        SELECT 'trigger', n.nspname, c.relname, t.tgname, NULL
        FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal
          AND n.nspname !~ '^(pg_|information_schema$)'
    """,
    "foreign-tables": """
        SELECT 'foreign', n.nspname, c.relname, 'foreign table', NULL
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'f'
          AND n.nspname !~ '^(pg_|information_schema$)'
    """,
}


@dataclass(frozen=True)
class Finding:
    severity: str
    kind: str
    relation: str  # schema-qualified, restaurant schemas shown as <tenant>
    detail: str
    schemas: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "kind": self.kind,
            "relation": self.relation,
            "detail": self.detail,
            "schema_count": len(self.schemas),
            "schemas": list(self.schemas[:20]),
        }


def _classify(code: str, schema: str, other: str | None, public: str) -> tuple[str, str] | None:
    """(severity, kind) of one catalog row, or None when Citus accepts it."""
    if code == "fk":
        if other != public:
            return ERROR, "fk-into-tenant-schema"
        return ERROR, "fk-leaves-tenant-schema"
    if code == "seq":
        return (
            (WARNING, "sequence-outside-schema") if other != schema else (WARNING, "small-sequence")
        )
    return {
        "inherit": (ERROR, "inheritance"),
        "multi": (ERROR, "multi-level-partitioning"),
        "rule": (ERROR, "rule"),
        "foreign": (ERROR, "foreign-table"),
        "trigger": (WARNING, "trigger"),
    }[code]


def citus_findings(*, public_schema: str = "public") -> list[Finding]:
    """Every departure from what Citus schema-based sharding accepts, errors first."""
    grouped: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    with connection.cursor() as cursor:
        for sql in _QUERIES.values():
            cursor.execute(sql)
            for code, schema, relation, detail, other in cursor.fetchall():
                classified = _classify(code, schema, other, public_schema)
                if classified is None:
                    continue
                shown = public_schema if schema == public_schema else TENANT
                grouped[(*classified, f"{shown}.{relation}", detail)].append(schema)
    findings = [
        Finding(severity, kind, relation, detail, tuple(sorted(set(schemas))))
        for (severity, kind, relation, detail), schemas in grouped.items()
    ]
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.kind, f.relation, f.detail))
