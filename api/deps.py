"""The request's dependencies, provided by Litestar: its one transaction and its caller.

`session`: every handler that touches the operational database declares `session: Session`
and gets the request's one transaction, committed after the handler has built its reply and
before the reply is sent (a failed commit answers an error, never a success that was not
stored), rolled back if anything raised. Commit and rollback run in a worker thread: database
work never runs on the event loop (api/worker_threads.py).

`caller`: the authenticated caller that the `authenticated` guard (api/guards.py) put on the
connection before the body was read, so a request without credentials is 401 before it is 400.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from sqlmodel import Session

from api.guards import CALLER_KEY
from api.security.auth import Caller


async def provide_session(state: State) -> AsyncGenerator[Session, None]:
    session = Session(state.engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        await sync_to_thread(_roll_back, session)
        raise
    await sync_to_thread(_commit, session)


def _commit(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _roll_back(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


def provide_caller(request: ASGIConnection) -> Caller:
    caller = request.state.get(CALLER_KEY)
    if caller is None:  # a route without the guard asked for a caller: a wiring mistake
        raise RuntimeError(f"{request.url.path} declares `caller` without the authenticated guard")
    return caller


DEPENDENCIES = {
    "session": Provide(provide_session),
    "caller": Provide(provide_caller, sync_to_thread=False),
}
