"""`python -m email_ingest`: run the service (settings from HOTLINE_* environment variables)."""

from email_ingest.app import bootstrap
from hotline.http.serve import main

main(bootstrap)
