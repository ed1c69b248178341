"""Use cases: each takes a unit of work and applies the domain's rules. One package per concept
(each package's docstring lists its modules):

- `stock`: the catalog, stock and its ledger, moves and counts;
- `orders`: the order desk (intake, review, holds, edits), order files, bulk intake, ship-by clocks;
- `picking`: waves, cart trips, pick tasks and lists, short picks;
- `packing`: the pack station, station heartbeats, weight learning, the weight record (底单称重);
- `labels`: waybills, the print queue and the printers' worker;
- `shipping`: carriers, tracking-number pools and e-waybill providers, handover, voiding a parcel;
- `platforms`: shop platforms (orders in, tracking numbers out) and ERPs over 奇门;
- `aftersales`: cases and returns;
- `people`: users, tokens, signing in;
- `board`: the lead's overview;
- `fixtures`: the demo warehouse.

Imports run one way: no module here imports another that imports it back, and none imports
inside a function to dodge a circle (`tests/unit/test_import_graph.py`).
"""
