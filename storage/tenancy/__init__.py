"""Tenants and their credentials: companies, users, API keys, clients (sites), login
sessions, passwords, sealed secrets, rate counters, platform admins and the demo tenant.
"""
