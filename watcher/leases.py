"""Check leases for the daemon: claim a due source, keep the claim alive, give it back.

Several `watcher run` processes on one PostgreSQL database each schedule every source; the
lease in `source_state` decides which of them runs each due check. A process that dies keeps
its lease only until `lease_until`, then another takes the source over.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timedelta

from watcher.errors import StorageError
from watcher.models import Source
from watcher.storage import Claim
from watcher.storage.leases import LeaseStore

log = logging.getLogger(__name__)


def owner_id() -> str:
    """This process, readable in the database: host, pid and a token against pid reuse."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class CheckLeases:
    """One process's side of the lease table."""

    def __init__(
        self,
        store: LeaseStore,
        *,
        lease: float,
        clock: Callable[[], datetime],
        owner: str | None = None,
    ) -> None:
        self._store = store
        self._lease = lease
        self._clock = clock
        self.owner = owner or owner_id()

    async def claim(self, source: Source) -> Claim:
        """Claim the source's check if it is due and nobody alive holds it."""
        return await self._store.claim(
            source.name, self.owner, self._clock(), source.interval, self._lease
        )

    @asynccontextmanager
    async def held(self, source: Source) -> AsyncIterator[None]:
        """Renew the claimed lease while the check runs; release it afterwards."""
        renewer = asyncio.create_task(self._renew(source.name))
        try:
            yield
        finally:
            renewer.cancel()
            with suppress(asyncio.CancelledError):
                await renewer
            try:
                await self._store.release(source.name, self.owner)
            except StorageError as exc:
                # The lease then simply expires; another process waits at most `lease`.
                log.warning("could not release a lease: %s", exc, extra={"source": source.name})

    async def _renew(self, name: str) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            until = self._clock() + timedelta(seconds=self._lease)
            try:
                if not await self._store.renew(name, self.owner, until):
                    log.warning("lease taken over while checking", extra={"source": name})
                    return
            except StorageError as exc:
                log.warning("could not renew a lease: %s", exc, extra={"source": name})
