"""What the benchmark serves: per example, a hello route and a realistic JSON (or page) route.

Every route is a GET that answers 200 and changes no state, so repeated rounds measure the same
work. The first route of each example is its "hello" route: the fresh-instance and cold-start
measurements use it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    """``path`` to load; ``kind`` says what it does (shown in the tables)."""

    path: str
    kind: str


@dataclass(frozen=True)
class Case:
    """One example of examples/ and the routes to load on it."""

    example: str
    routes: tuple[Route, ...]
    env: tuple[tuple[str, str], ...] = ()  # set for both servers (e.g. a granted secret)

    @property
    def hello(self) -> Route:
        return self.routes[0]


CASES: tuple[Case, ...] = (
    Case("flask-hello", (Route("/", "hello, text"), Route("/users/1", "JSON object"))),
    Case("fastapi-library", (Route("/books/1", "JSON, pydantic model"),
                             Route("/books", "JSON list, pydantic, paginated"))),
    Case("starlette-notes", (Route("/", "hello, text"), Route("/notes", "JSON list"))),
    Case("django-blog", (Route("/api/posts/1/", "JSON, ORM (SQLite) read"),
                         Route("/", "HTML page, ORM list + template")),
         env=(("DJANGO_SECRET_KEY", "bench-not-a-secret"),)),
    Case("hono-api", (Route("/", "hello, text"), Route("/books", "JSON list"))),
    Case("express-shop", (Route("/api/products", "JSON list"), Route("/", "HTML page, EJS template"))),
    Case("axum-hello", (Route("/", "hello, text"), Route("/users/1", "JSON object"))),
    Case("axum-inventory", (Route("/", "hello, text"), Route("/items", "JSON list, shared state"))),
)


def find(name: str) -> Case:
    """The case of example ``name``; KeyError naming the known ones otherwise."""
    for case in CASES:
        if case.example == name:
            return case
    raise KeyError(f"no benchmark case for {name!r} (known: {', '.join(c.example for c in CASES)})")
