"""axe-core in the browser tests, loaded the way the pages' CSP allows.

The pages forbid inline scripts (CSP `script-src 'self' 'nonce-…'`), so axe-core cannot be
injected as an inline script without switching the policy off for the test. Test settings
serve the npm package under /static/vendor/axe/ and it is loaded from the page's own origin,
so the audited page runs under its real policy.
"""

from __future__ import annotations

from typing import Any

AXE_URL = "/static/vendor/axe/axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [node["target"] for node in v["nodes"][:5]],
        }
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]
