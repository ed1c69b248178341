"""One settings object for the whole service, read from the environment and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob a warehouse sets; each is `WMS_<NAME>` in the environment or `.env`."""

    model_config = SettingsConfigDict(env_prefix="WMS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./var/wms.db"
    host: str = "127.0.0.1"
    port: int = 8000
    fixtures_dir: Path = REPO_ROOT / "fixtures"
    label_size: str = "100x150"
    label_dpi: int = 203
    label_format: str = "escpos"
    label_font: str | None = None
    station_ids: str = ""
    scale_resolution_g: int = 1
    weight_floor_g: int = 5
    double_read_window_ms: int = 300
    token_cache_s: float = 30.0
    token_lifetime_s: int = 12 * 3600  # a token (sign-in, refresh, `wms token create`) works this long
    token_refresh_grace_s: int = 3600  # a token expired less than this ago may still be refreshed
    login_max_failures: int = 5  # failed sign-ins for one user name before it is locked
    login_address_max_failures: int = 20  # failed sign-ins from one address before it is locked
    login_lockout_s: int = 900  # failures count for this long; a lock lifts when they age out
    access_log: bool = False
    workers: int = 1
    tracking_pool_low_water: int = 100
    print_retry_max: int = 5
    db_busy_timeout_s: float = 30.0  # SQLite: how long a write waits for a lock held elsewhere before 503 database_busy
    platform_sync: bool = True  # `wms serve` pulls the shop platforms and sends tracking numbers back
    sender_name: str = "丝施品牌店"
    sender_phone: str = "0571-88886666"
    sender_address: str = "浙江省杭州市余杭区仓前街道良睦路1399号 3号仓"
    max_body_bytes: int = 8 * 1024 * 1024  # a larger request body is refused with 413 body_too_large, unread
    waybill_timeout_s: float = 8.0  # how long packing waits for an e-waybill service (Cainiao) to give a number
    # The seller's custom-area template (自定义区) for platform e-waybills printed by the platform's
    # print component: our order number, items and pick spot go there; empty: the platform's part only.
    custom_area_template_url: str = ""
    display_timezone: str = "Asia/Shanghai"  # times on the pages and the evidence sheet (records stay in UTC)

    @property
    def stations(self) -> list[str]:
        return [s.strip() for s in self.station_ids.split(",") if s.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
