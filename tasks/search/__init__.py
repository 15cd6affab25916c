"""What a command asks for: the documented command structure, the search criteria that
travel through the pipeline, the vocabulary of roles, industries, places and sizes, hard filters.
"""
