"""isales: an outbound-campaign server, wire-compatible with the Huawei CC-iSales OpenAPI."""

__version__ = "0.1.0"
