"""HTTP edge helpers shared by every service."""

from hotline.http.app import ServiceState, create_service_app
from hotline.http.webhook import Rejected, decode_json, json_error

__all__ = [
    "Rejected",
    "ServiceState",
    "create_service_app",
    "decode_json",
    "json_error",
]
