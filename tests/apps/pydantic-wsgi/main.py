"""pydantic v2 without a framework: a plain WSGI app that validates JSON bodies."""

import json

import pydantic
import pydantic_core
from pydantic import BaseModel, Field


class Order(BaseModel):
    sku: str = Field(pattern=r"^[A-Z]{3}-\d{2}$")
    qty: int = Field(gt=0, le=100)
    note: str | None = None


def application(environ, start_response):
    if environ["PATH_INFO"] == "/version":
        body = {"pydantic": pydantic.VERSION, "pydantic_core": pydantic_core.__version__}
        status = "200 OK"
    else:
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            body, status = Order.model_validate_json(raw).model_dump(mode="json"), "200 OK"
        except pydantic.ValidationError as error:
            body, status = json.loads(error.json(include_url=False)), "422 Unprocessable Entity"
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
