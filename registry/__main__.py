"""``python -m registry migrate``: apply pending migrations (the Procfile's release step)."""

from __future__ import annotations

import argparse
import sys

from registry.bootstrap import ensure_database, migrate
from registry.config import ConfigError, Settings
from registry.observability.logging import configure_logging
from registry.storage.embedded import EmbeddedPostgresRefused
from registry.storage.migrations import MigrationError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m registry")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply pending database migrations and exit")
    commands.add_parser("check-config", help="read the configuration from the environment and exit")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if args.command == "check-config":
        return 0
    try:
        settings, _ = ensure_database(settings)
        applied = migrate(settings)
    except (MigrationError, EmbeddedPostgresRefused) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
