"""The lead-management workbench: settings, lead processing and its plans, background
triggers, research runs, prospect imports and inbound webhooks.
"""
