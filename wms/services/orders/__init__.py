"""Orders, from intake to the parcel they ship in.

- `desk`: intake with review, reservation, holds, edits, merges, notes, the orders in a parcel;
- `files`: order files in the encodings sellers' exports have (GBK CSV from Excel included);
- `bulk`: many orders in a few statements, a chunk at a time;
- `ship_clock`: each order's ship-by time (发货时效) and what breaches soon.
"""
