"""The embedded default that needs no account: order files in a folder (or one file), tracking out to a CSV.

`url` is a path (or file:///path). A pull imports every .csv/.json file there through the
same row-safe import as `wms orders import`; order_no is the key, so a file read twice adds
nothing. Tracking numbers are appended to `tracking-out.csv` beside the files, which the
shop's own tool (or a person) uploads.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from wms.adapters.platforms.base import Page, PlatformError


def path_of(url: str) -> Path:
    return Path(url[len("file://"):] if url.startswith("file://") else url)


class FileConnector:
    kind = "file"
    max_window = timedelta(days=36500)

    def __init__(self, url: str) -> None:
        self.path = path_of(url)

    def close(self) -> None:
        pass

    def files(self) -> list[Path]:
        if self.path.is_file():
            return [self.path]
        if not self.path.is_dir():
            raise PlatformError("no_such_file", f"{self.path} is neither an order file nor a folder of them")
        return sorted(p for p in self.path.iterdir() if p.suffix.lower() in (".csv", ".json"))

    def pull(self, start: datetime, end: datetime, page_no: int, page_size: int) -> Page:
        raise PlatformError("not_paged", "file platforms are imported whole, not paged")

    def upload_tracking(self, platform_order_no: str, carrier: str, tracking_no: str,
                        sub_orders: list[str], extra: dict[str, Any]) -> dict[str, Any]:
        folder = self.path if self.path.is_dir() else self.path.parent
        out = folder / "tracking-out.csv"
        try:
            new = not out.exists()
            with out.open("a", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                if new:
                    writer.writerow(["order_no", "carrier", "tracking_no", "sub_orders"])
                writer.writerow([platform_order_no, carrier, tracking_no, " ".join(sub_orders)])
        except OSError as exc:
            raise PlatformError("cannot_write", f"cannot write {out}: {exc}", retryable=True) from None
        return {"already_sent": False}
