"""The base paths of the interfaces: one definition each (the server's routes, the
dialer-facing ``interface`` answer and the built-in dialer read them)."""

from __future__ import annotations

#: every OpenAPI interface is under this prefix (the gate checks signatures below it)
OPENAPI_PREFIX = "/rest/isales/"
V1 = "/rest/isales/v1/openapi"
V2 = "/rest/isales/v2/openapi"
#: the dialer-facing ("OBS") interfaces
DIALER_BASE = V1 + "/obs/business"
