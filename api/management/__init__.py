"""The lead-management API (leadgenius-pro-api.md): auth and keys, company, clients,
leads, bulk extraction, campaigns, e-mail checks, search history, territory, admin, maintenance.
"""
