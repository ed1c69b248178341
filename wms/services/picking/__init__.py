"""Picking: from released orders to filled totes.

- `waves`: releasing orders and batching them into routed cart trips;
- `rebin`: better bins for a wave's reservations;
- `tasks`: pick tasks, tote labels, a picker confirming a stop;
- `lists`: pick lists and the walk;
- `short_picks`: a bin holds less than the books say.
"""
