"""The API's documentation: the OpenAPI schema with its examples, the offline Swagger UI and
the tester page.
"""
