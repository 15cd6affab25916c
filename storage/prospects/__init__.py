"""The prospect store: the research corpus as Parquet under `<data>/prospects/`, the
sample, and imports of a site's own lists (column mapping, validation SQL, admission).
"""
