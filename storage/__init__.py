"""Leadmill's stores: settings, the operational database, the prospect store and the warehouse.

Nothing here imports another Leadmill package, and nothing is built at import time: a process
constructs `LeadmillSettings()` once, at its entry point, opens its runtime from them
(`storage.runtime`: the settings, one engine per database, the secrets) and hands it on.
"""
