"""Prints the dialog sets' success rates after a run that included them."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.tenant_apps.assistant.test_dialogs import RESULTS
    from tests.tenant_apps.assistant.test_dialogs_heldout import (
        GENERATED_RESULTS,
        HELD_OUT_RESULTS,
    )
    from tests.tenant_apps.assistant.test_dialogs_with_model import (
        LLM_GENERATED_RESULTS,
        LLM_HELD_OUT_RESULTS,
    )

    for label, results in (
        ("dialog corpus", RESULTS),
        ("held-out dialogs", HELD_OUT_RESULTS),
        ("generated dialogs", GENERATED_RESULTS),
        ("held-out dialogs with a model", LLM_HELD_OUT_RESULTS),
        ("generated dialogs with a model", LLM_GENERATED_RESULTS),
    ):
        if results:
            passed = sum(results.values())
            terminalreporter.write_line(
                f"assistant {label}: {passed}/{len(results)} dialogs reached their end state "
                f"({100 * passed / len(results):.1f}%)"
            )
