"""The operational database itself: engines and sessions, schema upgrades, the change
sequence the warehouse follows, leases, keyset pages and the clock the stores keep.
"""
