"""API tokens with roles; only a hash of each token is stored."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from wms.adapters.db.tables._fields import created_at, optional_time


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=128)
    name: str = Field(max_length=80)
    role: str = Field(max_length=20)
    created_at: datetime = created_at()
    revoked_at: datetime | None = optional_time()


class UserAccount(SQLModel, table=True):
    """A person who logs in to the pages with a user name and password (PBKDF2 hash)."""

    __tablename__ = "user_account"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=80)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)
    created_at: datetime = created_at()
    disabled_at: datetime | None = optional_time()
