"""What one turn of the engine produces (the dialog manager fills it in)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TurnResult:
    replies: list[str] = field(default_factory=list)
    handoff: bool = False
    customer_id: int | None = None
