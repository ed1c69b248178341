"""After-sales cases, returns receiving and their reports (being written)."""

from fastapi import APIRouter

router = APIRouter(tags=["after-sales"])
