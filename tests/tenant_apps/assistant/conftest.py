"""Prints the dialog corpus success rate after a run that included it."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.tenant_apps.assistant.test_dialogs import RESULTS

    if RESULTS:
        passed = sum(RESULTS.values())
        terminalreporter.write_line(
            f"assistant dialog corpus: {passed}/{len(RESULTS)} dialogs reached their end state "
            f"({100 * passed / len(RESULTS):.1f}%)"
        )
