"""Dedupe: the normalised match keys, the record-matching engine, and dedupe within a
command and against the site's earlier leads.
"""
