"""Cached JSON responses: a GET's body is determined by its URL and the store's fingerprint.

The first request for a URL computes the result in the thread pool (services are CPU-bound),
validates it against the endpoint's response model once and caches the serialised bytes; later
requests are answered from the event loop without re-validating or re-serialising.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from fukugan.app.platform import Platform


def _body(model: type[BaseModel], compute: Callable[[], Any]) -> bytes:
    return model.model_validate(compute()).model_dump_json().encode()


async def cached_json(
    request: Request, platform: Platform, model: type[BaseModel], compute: Callable[[], Any]
) -> Response:
    key = ("json", request.url.path, tuple(sorted(request.query_params.multi_items())))
    body = platform.cache.peek(key)
    if body is None:
        body = await run_in_threadpool(platform.cache.get, key, lambda: _body(model, compute))
    return Response(body, media_type="application/json")
