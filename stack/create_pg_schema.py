"""Create genro-mail-proxy's tables on an empty PostgreSQL database, in foreign-key order.

A WORKAROUND for a known defect of genro-mail-proxy 0.7.0 (docs/sut-0.7.0.md#pg-start-on-empty-database,
known-defects.yaml "pg-start-on-empty-database"): at start-up the proxy creates its tables in alphabetical
order, so `accounts` (which references `tenants`) comes first and the start fails with
'relation "tenants" does not exist'. Upstream's own PostgreSQL test fixtures create the
tables in dependency order first; this script does the same, through the SUT's own table
definitions (no SQL of ours), so the schema is exactly the one the proxy would create.

Only the `Given` of the @db scenarios that say so use it. The scenario that states
"a proxy starts on an empty PostgreSQL database" never does.

Usage: python create_pg_schema.py postgresql://user@host:port/db
The SUT's `src/` must be importable (the suite puts it on PYTHONPATH).
"""

from __future__ import annotations

import asyncio
import sys

# Dependency order: every table after the tables its foreign keys point to.
ORDER = ["instance", "command_log", "tenants", "accounts", "storages", "messages", "message_events"]


async def create(url: str) -> list[str]:
    from core.mail_proxy.proxy_base import MailProxyBase
    from core.mail_proxy.proxy_config import ProxyConfig

    base = MailProxyBase(ProxyConfig(db_path=url))
    known = set(base.db.tables)
    if known != set(ORDER):
        raise SystemExit(f"the SUT defines the tables {sorted(known)}, this workaround knows {sorted(ORDER)}: update ORDER")
    await base.db.connect()
    try:
        for name in ORDER:
            await base.db.tables[name].create_schema()
    finally:
        await base.db.close()
    return ORDER


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].startswith(("postgresql://", "postgres://")):
        print("usage: create_pg_schema.py postgresql://user@host:port/db", file=sys.stderr)
        return 2
    created = asyncio.run(create(argv[0]))
    print("created in order: " + ", ".join(created))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
