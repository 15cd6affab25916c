"""The lead-management routes beyond auth, clients and leads: settings, lead processing,
background tasks, search history, territory workbench and campaigns (registered in api/app.py)."""

from __future__ import annotations

from api.management.campaigns import CampaignController
from api.management.search_history import SearchHistoryController
from api.management.territory import TerritoryController
from api.workbench.chat import ChatController
from api.workbench.outreach_accounts import OutreachAccountsController
from api.workbench.processing import LeadProcessingController
from api.workbench.settings import SettingsController
from api.workbench.triggers import TriggerController

WORKBENCH_ROUTES = [SettingsController, LeadProcessingController, TriggerController,
                    SearchHistoryController, TerritoryController, CampaignController,
                    ChatController, OutreachAccountsController]
