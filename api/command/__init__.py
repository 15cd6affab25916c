"""The command API (uncodie-lead-generation-command.md): submit, status, leads, the
request models, status mapping, recurring schedules, webhook deliveries and website analysis.
"""
