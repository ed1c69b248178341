"""The pack station and what it leaves on record, along the packer's steps.

- `session`: opening a pack session, what its parcel must hold, what was scanned, the notes to
  read first, and the lock order every step keeps;
- `scan`: an item scanned into a session (wrong items, extras and double reads refused);
- `weigh`: the weighing judged against the order and kept as taken;
- `finish`: a parcel finished (stock, number, order packed, waybill queued), the supervisor's
  override, and the remote e-waybill number as an explicit step outside any transaction;
- `station_events`: the station agent's events, read the way the packer meant them;
- `flash_lane`: the flash-sale lane: scanning an item opens the next single-item order of it;
- `heartbeats`: stations' heartbeats, device status and live scale readings;
- `learning`: SKUs' real weights learnt from passing parcels (reported, never applied);
- `weight_history`: a parcel's weight record (底单称重), deliveries, reweighs, the evidence sheet.
"""
