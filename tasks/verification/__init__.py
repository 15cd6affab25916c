"""Are a candidate's contact details usable: e-mail (syntax, MX, SMTP probe), phone and
website checks, and the verification rule over them.
"""
