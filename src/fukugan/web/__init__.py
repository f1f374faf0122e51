"""Web pages (server-rendered Jinja2 + htmx) over the same services as the CLI and the API.

Every script, style sheet and map shape is vendored under ``static/`` (see
``static/VENDORED.md``): the pages work on a closed network.
"""
