"""What every dysa management command shares: `--json` output and a progress display.

Human output goes to stdout; with `--json`, stdout carries exactly one JSON document and
progress goes to stderr, so `... --json | jq` works on long runs too.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

JSON_HELP = "print one JSON document on stdout (progress, if any, goes to stderr)"


class DysaCommand(BaseCommand):
    json_output = False

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("--json", action="store_true", dest="json", help=JSON_HELP)
        # Subcommands take --json after their own arguments too (`tenant list --json`);
        # SUPPRESS keeps a subparser from resetting a --json given before the subcommand.
        _add_json_to_subcommands(parser)
        return parser

    def execute(self, *args: Any, **options: Any) -> str | None:
        self.json_output = bool(options.get("json"))
        self._progress_shown = 0.0
        return super().execute(*args, **options)

    def emit(self, payload: dict[str, Any] | list[Any], human: str) -> None:
        if self.json_output:
            self.stdout.write(json.dumps(payload, indent=2, default=str, ensure_ascii=False))
        else:
            self.stdout.write(human)

    def progress(self, done: int, total: int, label: str = "") -> None:
        """A progress line on stderr, at most every half second (and always at the end)."""
        now = time.monotonic()
        if done < total and now - self._progress_shown < 0.5:
            return
        self._progress_shown = now
        percent = 100 * done // total if total else 100
        end = "\n" if done >= total or not sys.stderr.isatty() else "\r"
        self.stderr.write(f"{label}{done}/{total} ({percent}%)", ending=end)
        self.stderr.flush()

    def fail(self, message: str, *, code: int = 1) -> CommandError:
        return CommandError(message, returncode=code)


def _add_json_to_subcommands(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                subparser.add_argument(
                    "--json",
                    action="store_true",
                    dest="json",
                    default=argparse.SUPPRESS,
                    help=JSON_HELP,
                )
                _add_json_to_subcommands(subparser)
