"""Answers of the station's hot routes, encoded at once.

FastAPI runs a returned dict through `jsonable_encoder` (a walk of every value) and then
`json.dumps`; the answers of a scan or a weighing are plain JSON already (str, int, float,
bool, None, lists and dicts), so they are encoded in one `json.dumps` call instead. A packer
waits on these on every item and every parcel.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response


def json_answer(data: Any, status_code: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    return Response(body, status_code=status_code, media_type="application/json")
