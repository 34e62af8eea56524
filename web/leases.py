"""Which app process works on what, and what happens to the work of one that died.

Each process holds a lease, renewed every third of `lease_s` on the database's own clock,
and stamps the answers it writes and the documents it reads with its id (`writer`). Work
whose process has no lease left (it crashed, or its machine went away) is *orphaned*:
whichever process sweeps next ends it, answers interrupted and documents failed
(web/chat/recovery.py). So a process dying mid-answer never leaves it streaming, and a
process starting leaves the others' work alone (issue 20).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from web.row_stamps import new_id
from web.storage import STORAGE_ERRORS, Database

log = logging.getLogger("docchat")

# A row's `writer` holds no lease: its process is gone.
ORPHANED = "(writer IS NULL OR writer NOT IN (SELECT id FROM processes))"


class Lease:
    def __init__(self, db: Database, seconds: float) -> None:
        self.id = new_id()
        self.db = db
        self.seconds = seconds

    def renew(self) -> None:
        """Held for `seconds` more; and the leases that ran out are forgotten, which
        orphans their work."""
        now = self.db.now_sql
        with self.db.transaction() as conn:
            conn.execute(
                f"INSERT INTO processes (id, lease_until) VALUES (?, {now} + ?) "
                "ON CONFLICT (id) DO UPDATE SET lease_until = excluded.lease_until",
                (self.id, self.seconds),
            )
            conn.execute(f"DELETE FROM processes WHERE lease_until < {now}")

    def forget_others(self) -> None:
        """At start, on a database no other process uses: whoever held a lease is gone."""
        self.db.run("DELETE FROM processes WHERE id != ?", self.id)

    def release(self) -> None:
        """At shutdown, once this process's work has ended: nothing left to hold."""
        self.db.run("DELETE FROM processes WHERE id = ?", self.id)


async def forever(
    step: Callable[[], Awaitable[None]], what: str, pause_s: float, *, done_once: bool = False
) -> None:
    """`step` again and again, `pause_s` after each end, until cancelled (`done_once`: the
    first was done already). A database that fails for a while must not end what keeps
    this process in step with the others."""
    if done_once:
        await asyncio.sleep(pause_s)
    while True:
        try:
            await step()
        except (*STORAGE_ERRORS, OSError) as exc:
            log.warning("%s failed (%s); again in %.1f s", what, exc, pause_s)
        await asyncio.sleep(pause_s)
