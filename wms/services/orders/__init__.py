"""Orders, from intake to the parcel they ship in.

- `records`: an order, its lines, status changes, history, notes, lists, the orders in a parcel;
- `intake`: an incoming order drafted, reviewed, saved, reserved, merged (合并发货);
- `edits`: holds and their release, recipient and line edits, cancellation;
- `files`: order files in the encodings sellers' exports have (GBK CSV from Excel included);
- `bulk`: many orders in a few statements, a chunk at a time;
- `ship_clock`: each order's ship-by time (发货时效) and what breaches soon.
"""
