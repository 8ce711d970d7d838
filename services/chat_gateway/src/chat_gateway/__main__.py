"""`python -m chat_gateway`: run the service (settings from HOTLINE_* environment variables)."""

from hotline.http.serve import main

from chat_gateway.app import bootstrap

main(bootstrap)
