"""Enrichment: the derived fields of a lead, and lead processing (enrichment services,
copywriting, SDR AI) through the configured services.
"""
