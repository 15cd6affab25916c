"""Leadmill's stores: settings, the operational database, the prospect store and the warehouse.

Nothing here imports another Leadmill package, and nothing is built at import time: callers
construct `LeadmillSettings()` and pass it on.
"""
