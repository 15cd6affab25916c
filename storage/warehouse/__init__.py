"""The analysts' warehouse: the Parquet lead lake, the DuckDB views over it, the single
writer that syncs and compacts, territory breakdowns, reports, exports and the read-only sandbox.
"""
