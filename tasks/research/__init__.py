"""Finding candidates: the prospect store search, people-search providers, company
websites, the merge of every source's finds and research-only runs.
"""
