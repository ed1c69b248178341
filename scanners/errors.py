"""Exceptions raised by device drivers, grouped so a station agent can react by kind.

An agent typically catches `DeviceDisconnected` (show "scale unplugged", retry later),
`DeviceTimeout` (ask the packer to steady the parcel) and `ScaleError` (anything the
scale itself reported) separately; all derive from `DeviceError`.
"""

from __future__ import annotations


class DeviceError(Exception):
    """Any failure talking to a scale, scanner or printer."""


class DeviceDisconnected(DeviceError):
    """The port vanished mid-use (USB unplugged, pty closed, socket dropped)."""


class PortOpenError(DeviceDisconnected):
    """The port could not be opened at all (missing device, bad URL, permission)."""


class DeviceTimeout(DeviceError, TimeoutError):
    """The device did not answer, or not with what we waited for, in time."""


class ScaleError(DeviceError):
    """The scale answered, but with an error or a state that gives no usable weight."""


class ScaleTimeout(DeviceTimeout, ScaleError):
    """No (stable) weight arrived before the deadline."""


class ScaleOverload(ScaleError):
    """The load is above the scale's capacity: no weight can be given."""


class ScaleUnderload(ScaleError):
    """The scale reads below zero range (platter lifted, zero drifted): no weight."""


class CommandRejected(ScaleError):
    """The scale refused a command (not executable now, syntax or logical error)."""


class FrameError(ScaleError):
    """A frame from the scale could not be understood (garbage, unknown unit)."""


class UnknownProtocol(ValueError):
    """The protocol name is not one this package speaks."""
