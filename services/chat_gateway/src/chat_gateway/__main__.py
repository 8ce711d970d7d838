"""`python -m chat_gateway`: run the service (settings from HOTLINE_* environment variables)."""

from chat_gateway.app import bootstrap
from hotline.http.serve import main

main(bootstrap)
