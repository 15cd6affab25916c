"""The lead-management routes beyond auth, clients and leads: settings, lead processing,
background tasks, search history, territory workbench and campaigns (registered in api/app.py)."""

from __future__ import annotations

from api.routes.campaigns import CampaignController
from api.routes.processing import LeadProcessingController
from api.routes.search_history import SearchHistoryController
from api.routes.settings import SettingsController
from api.routes.territory import TerritoryController
from api.routes.triggers import TriggerController

WORKBENCH_ROUTES = [SettingsController, LeadProcessingController, TriggerController,
                    SearchHistoryController, TerritoryController, CampaignController]
