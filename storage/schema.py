"""Every table of the operational database, and creating or upgrading them at start.

This module sits above the concept packages: it imports each one's tables so that
`SQLModel.metadata` knows them all, which no package below may do without a circle.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

# Importing the modules registers their tables on SQLModel.metadata.
from storage.commands import idempotency  # noqa: F401
from storage.commands import models as command_models  # noqa: F401
from storage.leads import models as lead_models  # noqa: F401
from storage.leads import rekey  # noqa: F401
from storage.privacy import models as privacy_models  # noqa: F401
from storage.prospects import admission  # noqa: F401
from storage.tenancy import (  # noqa: F401
    login_sessions,
    platform_admins,
    rate_counters,
)
from storage.tenancy import models as tenancy_models  # noqa: F401
from storage.warehouse import models as warehouse_models  # noqa: F401
from storage.webhooks import models as webhook_models  # noqa: F401
from storage.workspace import chat_threads, maintenance, outreach_accounts  # noqa: F401
from storage.workspace import models as workspace_models  # noqa: F401


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet and upgrade the ones an older Leadmill made."""
    SQLModel.metadata.create_all(engine)
    # Then bring tables made by an older Leadmill up to date (create_all never alters one).
    from storage.db.change_sequence import install_change_sequence
    from storage.leads.provenance import upgrade_command_columns
    from storage.schema_upgrades import (
        add_watermark_sequence,
        scope_client_ids_to_companies,
        upgrade_campaign_and_key_columns,
        upgrade_lease_columns,
        upgrade_tenancy_columns,
        widen_lead_revenue,
    )
    from storage.webhooks.outbox import upgrade_outbox_schema

    upgrade_command_columns(engine)
    upgrade_tenancy_columns(engine)
    widen_lead_revenue(engine)
    scope_client_ids_to_companies(engine)
    upgrade_outbox_schema(engine)
    upgrade_lease_columns(engine)
    upgrade_campaign_and_key_columns(engine)
    add_watermark_sequence(engine)
    install_change_sequence(engine)
    # After the change sequence: re-keyed leads are changes the warehouse follows.
    rekey.rekey_leads(engine)
