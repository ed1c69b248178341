"""Carriers, tracking numbers and the parcels leaving the building.

- `carriers`: choosing a carrier, the house carrier, handing out pool numbers exactly once;
- `carrier_setup`: carriers' set-up and their tracking-number pools (ranges, levels, checks);
- `handover`: the daily handover (交接) and its manifest;
- `scan_out`: handover by scan-out (扫描交接): parcels scanned onto an open batch, an intercepted one refused;
- `waybill_numbers`: where a carrier's numbers come from (a pool, Cainiao's e-waybill service, or a
  Pinduoduo shop's own for its masked orders);
- `parcel_void`: voiding a packed parcel before the courier takes it (作废 / 面单回收);
- `bills`: carriers' rate tables and couriers' bills (对账单) judged against our outbound weighings.
"""
