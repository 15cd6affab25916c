"""How well each candidate matches the search, and why: per candidate and column by column.
"""
