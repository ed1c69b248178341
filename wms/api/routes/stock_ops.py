"""(being written)"""

from fastapi import APIRouter

router = APIRouter(tags=["stock_ops"])
