"""The Litestar API: routes, auth, request/response models and error mapping.

`api.app.create_app(settings, executor)` builds the app; nothing is constructed at import time.
"""
