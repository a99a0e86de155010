"""The built-in dialer: a client of the dialer-facing interfaces, like any external dialer.

``Dialer`` (loop.py) asks ``tasks`` which campaigns may dial now, claims numbers with
``callnos``, places each call through a ``Driver`` (driver.py) and reports it with
``call/result``. The default driver, ``SimulatedDriver`` (simulated.py), places no real call.
"""

from .driver import CallOutcome, CallRequest, Driver
from .loop import Dialer
from .simulated import SimulatedDriver

__all__ = ("CallOutcome", "CallRequest", "Dialer", "Driver", "SimulatedDriver")
