"""People and their access.

- `auth`: users, roles and bearer tokens (only a hash of each is kept);
- `login_guard`: signing in under a lock-out that slows guessing.
"""
