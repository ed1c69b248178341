"""After-sales (售后).

- `cases`: one case per problem, linked to its order, with its decision and outcome;
- `returns`: receiving returned parcels: identify, weigh, inspect, put back or set aside.
"""
