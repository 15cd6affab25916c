"""A command's life in the stores: progress, its leads and outcome persisted, recurring
runs turned into commands, and the warehouse sync after.
"""
