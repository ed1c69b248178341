"""Which scale readings become weight events: one per placement, not one per poll.

The scale is polled several times a second, so a parcel left on it would otherwise be
weighed (and, if it fails, recorded as a failed weighing) over and over. A reading is
sent when it is stable, has held (within `resend_delta_g`) for `settle_s`, and either
the scale was empty since the last one sent (a reading under `empty_below_g`, stable
or not: the parcel came off) or it differs from the last one sent by more than
`resend_delta_g` (an item was added or taken out while the parcel stayed on).
"""

from __future__ import annotations

import time

from scanners.readings import Reading


class PlacementGate:
    def __init__(self, empty_below_g: int = 5, resend_delta_g: int = 10,
                 settle_s: float = 0.4) -> None:
        self.empty_below_g = empty_below_g
        self.resend_delta_g = resend_delta_g
        self.settle_s = settle_s
        self.last_sent_g: int | None = None
        self._armed = True  # the scale was empty since the last weight sent
        self._candidate_g: int | None = None
        self._candidate_since = 0.0

    def offer(self, reading: Reading, now: float | None = None) -> int | None:
        """The grams to send as a new weight event, or None for this reading."""
        now = time.monotonic() if now is None else now
        if reading.error is not None:
            self._candidate_g = None
            return None
        if reading.grams < self.empty_below_g:
            self._armed = True
            self._candidate_g = None
            return None
        if not reading.stable:
            self._candidate_g = None
            return None
        delta = self.resend_delta_g
        if self._candidate_g is None or abs(reading.grams - self._candidate_g) > delta:
            self._candidate_g, self._candidate_since = reading.grams, now
        if now - self._candidate_since < self.settle_s:
            return None
        new_parcel = self._armed
        changed = self.last_sent_g is not None and abs(reading.grams - self.last_sent_g) > delta
        if not (new_parcel or changed):
            return None
        self._armed = False
        self.last_sent_g = reading.grams
        return reading.grams
