"""Pick waves, pick lists and pick confirmation (being written)."""

from fastapi import APIRouter

router = APIRouter(tags=["picking"])
