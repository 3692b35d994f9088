"""A small library API on FastAPI and pydantic v2: validation, response models, dependencies,
async and plain ``def`` endpoints, lifespan state, a streamed export, cookies, OpenAPI."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import Cookie, Depends, FastAPI, Header, HTTPException, Path, Query, Request, Response, status
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import BaseModel, Field, field_validator


class Genre(str, Enum):
    fiction = "fiction"
    science = "science"
    history = "history"


class BookIn(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    author: Annotated[str, Field(min_length=1)]
    year: Annotated[int, Field(ge=1450, le=2100)]
    genre: Genre = Genre.fiction
    tags: list[str] = []
    isbn: str | None = None

    @field_validator("isbn")
    @classmethod
    def isbn_digits(cls, value: str | None) -> str | None:
        if value is not None and not value.replace("-", "").isdigit():
            raise ValueError("an ISBN has only digits and dashes")
        return value


class Book(BookIn):
    id: int


class BookSummary(BaseModel):
    id: int
    title: str


class Page(BaseModel):
    total: int
    items: list[BookSummary]


class Loan(BaseModel):
    book_id: int
    reader: Annotated[str, Field(pattern=r"^[a-z]{3,16}$")]
    due: date


SEED = [
    Book(id=1, title="Dune", author="Frank Herbert", year=1965, genre=Genre.fiction, tags=["desert"]),
    Book(id=2, title="A Brief History of Time", author="Stephen Hawking", year=1988, genre=Genre.science),
    Book(id=3, title="SPQR", author="Mary Beard", year=2015, genre=Genre.history, isbn="978-0-87140-423-7"),
]


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    yield {"books": {book.id: book for book in SEED}, "loans": []}


app = FastAPI(title="Library", version="1.0.0", lifespan=lifespan)


def books(request: Request) -> dict[int, Book]:
    return request.state.books


def pagination(offset: Annotated[int, Query(ge=0)] = 0,
               limit: Annotated[int, Query(ge=1, le=50)] = 10) -> tuple[int, int]:
    return offset, limit


def api_key(x_api_key: Annotated[str | None, Header()] = None) -> str:
    if x_api_key != "secret":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or wrong X-API-Key",
                            headers={"WWW-Authenticate": "ApiKey"})
    return x_api_key


Books = Annotated[dict[int, Book], Depends(books)]


@app.get("/")
async def index() -> dict[str, str]:
    return {"service": "library", "docs": "/docs"}


@app.get("/books", response_model=Page)
async def list_books(store: Books, page: Annotated[tuple[int, int], Depends(pagination)],
                     genre: Genre | None = None, q: Annotated[str | None, Query(max_length=20)] = None):
    offset, limit = page
    found = [b for b in sorted(store.values(), key=lambda b: b.id)
             if (genre is None or b.genre == genre) and (q is None or q.lower() in b.title.lower())]
    # The response model drops every field but id and title.
    return {"total": len(found), "items": found[offset:offset + limit]}


@app.get("/books/{book_id}", response_model=Book)
def get_book(book_id: Annotated[int, Path(gt=0)], store: Books):
    # A plain def endpoint: FastAPI runs it in its thread pool.
    if book_id not in store:
        raise HTTPException(404, f"no book {book_id}")
    return store[book_id]


@app.post("/books", response_model=Book, status_code=201)
async def add_book(book: BookIn, store: Books, response: Response, _: Annotated[str, Depends(api_key)]):
    new = Book(id=max(store, default=0) + 1, **book.model_dump())
    store[new.id] = new
    response.headers["Location"] = f"/books/{new.id}"
    return new


@app.post("/loans", status_code=201)
def lend(loan: Loan, store: Books, request: Request) -> Loan:
    if loan.book_id not in store:
        raise HTTPException(404, f"no book {loan.book_id}")
    request.state.loans.append(loan)
    return loan


class Contact(BaseModel):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    name: str


@app.put("/readers/{name}")
async def reader(name: Annotated[str, Path(min_length=3)], contact: Contact,
                 visits: Annotated[int, Cookie()] = 0) -> dict:
    return {"name": name, "contact": contact, "visits": visits}


@app.get("/export.csv")
async def export(store: Books, repeat: Annotated[int, Query(ge=1, le=5000)] = 1):
    async def rows():
        yield "id,title,year\n"
        for n in range(repeat):
            for b in sorted(store.values(), key=lambda b: b.id):
                yield f"{b.id},{b.title},{b.year}\n"
            if n % 500 == 0:
                await asyncio.sleep(0)
    return StreamingResponse(rows(), media_type="text/csv")


@app.get("/login")
async def login(response: Response) -> dict[str, bool]:
    response.set_cookie("session", "abc123", httponly=True)
    response.set_cookie("theme", "dark")
    response.set_cookie("visits", "1", max_age=3600)
    return {"ok": True}


@app.post("/echo")
async def echo(request: Request) -> Response:
    body = await request.body()
    return Response(body, media_type=request.headers.get("content-type", "application/octet-stream"))


@app.get("/slow")
async def slow(delay: Annotated[float, Query(ge=0, le=1)] = 0.05) -> PlainTextResponse:
    await asyncio.wait_for(asyncio.sleep(delay), timeout=2)
    return PlainTextResponse(f"slept {delay}")


@app.get("/boom")
def boom() -> None:
    raise RuntimeError("the library is on fire")
