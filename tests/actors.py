"""Who tests write as when they call write services directly (every write names an actor)."""

from __future__ import annotations

from typing import Final

from core.actors import Actor

TEST_ACTOR: Final = Actor.system("tests")
