"""Output of `schemas citus-check` (the checks themselves are in tenants/citus_check.py)."""

from __future__ import annotations

from collections import Counter

from core.cli import DysaCommand
from tenants.citus_check import ERROR, citus_findings


def citus_check_report(command: DysaCommand) -> None:
    findings = citus_findings()
    counts = Counter(f.severity for f in findings)
    lines = [
        f"{f.severity:<7} {f.kind:<26} {f.relation}: {f.detail} ({len(f.schemas)} schema(s))"
        for f in findings
    ]
    verdict = (
        "ready for Citus schema-based sharding"
        if not counts[ERROR]
        else "Citus schema-based sharding would refuse this layout"
    )
    lines.append(f"{counts[ERROR]} error(s), {counts['warning']} warning(s): {verdict}")
    command.emit(
        {
            "errors": counts[ERROR],
            "warnings": counts["warning"],
            "findings": [f.as_dict() for f in findings],
        },
        "\n".join(lines),
    )
    if counts[ERROR]:
        raise command.fail(f"{counts[ERROR]} finding(s) Citus would reject")
