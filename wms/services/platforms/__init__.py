"""Shops and ERPs: orders in, tracking numbers out.

- `shops`: the shop platforms on record (Taobao, Douyin, files) and the alerts their pulls raise;
- `sync`: orders in: paged pulls by modified time from a stored cursor;
- `changes`: one platform order applied: created on first sight, held or alerted on a change;
- `uploads`: tracking numbers back to the platforms (发货回传): the outbox and its view;
- `upload_worker`: sending that outbox under a lease, with retries and back-off;
- `scheduler`: the pulls `wms serve` runs on a timer;
- `tokens`: a shop's authorisation kept alive (抖店 token.create / token.refresh);
- `buyer_reveal`: a masked buyer shown in the clear for a documented scene, to a role whose work
  it is, logged with who and why, never stored;
- `erps`: the ERPs that may call over 奇门 and the check of each call;
- `qimen`: what each 奇门 method does (items, combos, stock) and which module serves the rest;
- `qimen_shipments`: shipments (create, update, cancel, 拦截, itemlack.report);
- `qimen_fields`: reading a 奇门 request's fields, in Qimen's units (kg, cm);
- `entry_orders`: expected receipts (入库单) an ERP announces, received and closed here;
- `erp_process`: orderprocess.report for the steps ERPs' shipments reached (read from order history);
- `erp_outbox`: ERP calls other than a shipment's confirmation (entryorder.confirm ...), sent
  from the durable job queue.
"""
