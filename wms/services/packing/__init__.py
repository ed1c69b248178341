"""The pack station and what it leaves on record.

- `station`: a pack session, scans, the weighing, the supervisor override, the station agent's events;
- `heartbeats`: stations' heartbeats, device status and live scale readings;
- `learning`: SKUs' real weights learnt from passing parcels (reported, never applied);
- `weight_history`: a parcel's weight record (底单称重), deliveries, reweighs, the evidence sheet.
"""
