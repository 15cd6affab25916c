"""Which waiting commands get the next free slots: fair between companies, by priority within one.

Priority is chosen by the caller, so it cannot order one company's commands against another's:
a tenant that marks everything `high` would otherwise push every other tenant to the back.
Instead each free slot goes to the company with the fewest commands in flight (claimed, handed
to a runner or running, on any executor: the counts come from the operational DB), the oldest
waiting command breaking ties; within that company, its highest-priority, then oldest, command
goes. So a company with 100 queued high-priority commands delays another company's single
command by at most one slot turn: the next slot that frees goes to the company with nothing
running.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.commands.models import Command

# A command in these states holds a slot (or a place on the work pool) until it ends.
IN_FLIGHT_STATES = ("PENDING", "SCHEDULED", "RUNNING", "CANCELLING")


def in_flight_by_company(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(Command.company_id, func.count())
        .where(col(Command.run_state).in_(IN_FLIGHT_STATES))
        .group_by(col(Command.company_id))
    ).all()
    return {company_id: int(count) for company_id, count in rows}


def count_in_flight(session: Session) -> int:
    return int(session.exec(
        select(func.count()).select_from(Command)
        .where(col(Command.run_state).in_(IN_FLIGHT_STATES))
    ).one())


def _queued_heads(session: Session, per_company: int) -> dict[str, list[Command]]:
    """Each company's first `per_company` waiting commands, in its own priority order."""
    turn = func.row_number().over(
        partition_by=col(Command.company_id),
        order_by=(col(Command.priority_rank), col(Command.created_at), col(Command.id)),
    ).label("turn")
    ranked = (
        select(col(Command.id).label("command_id"), turn)
        .where(Command.run_state == "QUEUED", col(Command.flow_run_id).is_(None))
        .subquery()
    )
    rows = session.exec(
        select(Command)
        .join(ranked, ranked.c.command_id == col(Command.id))
        .where(ranked.c.turn <= per_company)
        .order_by(ranked.c.turn)
    ).all()
    queues: dict[str, list[Command]] = defaultdict(list)
    for command in rows:
        queues[command.company_id].append(command)
    return queues


def fair_dispatch_order(session: Session, limit: int) -> Sequence[Command]:
    """Up to `limit` waiting commands in the order the next free slots should take them."""
    if limit <= 0:
        return []
    queues = _queued_heads(session, limit)
    if not queues:
        return []
    load = in_flight_by_company(session)
    # (slots the company holds, its next command's age, company): the least loaded goes next.
    heap = [(load.get(company, 0), queue[0].created_at, company)
            for company, queue in queues.items()]
    heapq.heapify(heap)
    order: list[Command] = []
    while heap and len(order) < limit:
        held, _, company = heapq.heappop(heap)
        queue = queues[company]
        order.append(queue.pop(0))
        if queue:
            heapq.heappush(heap, (held + 1, queue[0].created_at, company))
    return order
