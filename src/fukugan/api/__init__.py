"""REST API (FastAPI) over the services: ``/api/v1/...``, OpenAPI at ``/api/v1/openapi.json``.

:func:`fukugan.server.create_app` builds the whole application (API and web pages).
"""
