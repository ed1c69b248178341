"""Shops and ERPs: orders in, tracking numbers out.

- `sync`: the shop platforms (Taobao, Douyin, files): set-up, paged pulls, alerts;
- `uploads`: tracking numbers back to the platforms (发货回传) through a durable outbox;
- `scheduler`: the pulls `wms serve` runs on a timer;
- `qimen`: a seller's ERP drives the warehouse over 奇门 (Qimen).
"""
