"""What people see of a command and a site: the Prefect UI's artifacts (with the one
escaping rule), the documented summary, charts and the HTML site report.
"""
