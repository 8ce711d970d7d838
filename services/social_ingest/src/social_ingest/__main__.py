"""`python -m social_ingest`: run the service (settings from HOTLINE_* environment variables)."""

from hotline.http.serve import main
from social_ingest.app import bootstrap

main(bootstrap)
