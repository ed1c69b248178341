"""Pure byte-level codecs for scale protocols: frame parsing and command building, no I/O.

Each module offers a decoder class with `feed(data) -> list[...]` that buffers partial
frames, skips garbage and resynchronises on the next frame delimiter, plus functions
that turn one complete frame into a `Reading`.
"""

PROTOCOLS = ("mt-sics", "toledo", "nci")
