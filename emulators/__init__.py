"""Local stand-ins for the remote APIs (shop platforms, e-waybill services) the service talks to.

Each is a small HTTP server on 127.0.0.1 that follows the public documentation's request
and answer shapes, signing rules and error codes, and can be told to fail the way the
real one does (bad signature, expired token, call limit, timeouts, half-written answers).
Tests and benches drive the real client code against them; no account is needed.
"""
