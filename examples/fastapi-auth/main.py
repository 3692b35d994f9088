"""OAuth2 password flow with bcrypt-hashed passwords and JWT bearer tokens, as FastAPI's
security tutorial builds it ("OAuth2 with Password (and hashing), Bearer with JWT tokens"),
with bcrypt called directly (passlib, the tutorial's former choice, is unmaintained)."""

from datetime import datetime, timedelta, timezone
from typing import Annotated

import bcrypt
import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

SECRET_KEY = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def verify_password(password: str, hashed: str) -> bool:
    return bcrypt.checkpw(password.encode(), hashed.encode())


class User(BaseModel):
    username: str
    full_name: str | None = None
    disabled: bool = False


class UserInDB(User):
    hashed_password: str


class NewUser(BaseModel):
    username: str = Field(min_length=3, max_length=32, pattern=r"^[a-z0-9_]+$")
    full_name: str | None = None
    password: str = Field(min_length=8, max_length=72)  # bcrypt uses the first 72 bytes


class Token(BaseModel):
    access_token: str
    token_type: str


users: dict[str, UserInDB] = {
    "johndoe": UserInDB(username="johndoe", full_name="John Doe", hashed_password=hash_password("secret")),
    "alice": UserInDB(username="alice", full_name="Alice Wonderson", disabled=True,
                      hashed_password=hash_password("secret2")),
}

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI(title="fastapi-auth")


def authenticate(username: str, password: str) -> UserInDB | None:
    user = users.get(username)
    if user is None or not verify_password(password, user.hashed_password):
        return None
    return user


def create_access_token(subject: str, expires: timedelta) -> str:
    claims = {"sub": subject, "exp": datetime.now(timezone.utc) + expires}
    return jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM)


async def current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> User:
    unauthorized = HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Could not validate credentials",
                                 headers={"WWW-Authenticate": "Bearer"})
    try:
        username = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM]).get("sub")
    except jwt.InvalidTokenError:
        raise unauthorized from None
    user = users.get(username or "")
    if user is None:
        raise unauthorized
    if user.disabled:
        raise HTTPException(status_code=400, detail="Inactive user")
    return User(**user.model_dump())


@app.post("/token")
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    user = authenticate(form.username, form.password)
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Incorrect username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    token = create_access_token(user.username, timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES))
    return Token(access_token=token, token_type="bearer")


@app.post("/users", status_code=201)
async def register(new: NewUser) -> User:
    if new.username in users:
        raise HTTPException(status_code=409, detail="Username already registered")
    users[new.username] = UserInDB(username=new.username, full_name=new.full_name,
                                   hashed_password=hash_password(new.password))
    return User(username=new.username, full_name=new.full_name)


@app.get("/users/me")
async def read_me(user: Annotated[User, Depends(current_user)]) -> User:
    return user


@app.get("/hash-info")
async def hash_info(user: Annotated[User, Depends(current_user)]) -> dict:
    """What a stored hash says about itself: the scheme and cost (the salt differs per run)."""
    prefix, cost, _ = users[user.username].hashed_password.split("$")[1:4]
    return {"scheme": f"bcrypt-{prefix}", "cost": int(cost)}
