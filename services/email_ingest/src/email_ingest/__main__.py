"""`python -m email_ingest`: run the service (settings from HOTLINE_* environment variables)."""

from hotline.http.serve import main

from email_ingest.app import bootstrap

main(bootstrap)
