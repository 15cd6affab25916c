"""Who is calling and what they may do: authentication, JWTs, rate limits and login
throttles, the client's address, and the request-boundary guards.
"""
