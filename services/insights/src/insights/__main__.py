"""`python -m insights`: run the service (settings from HOTLINE_* environment variables)."""

from hotline.http.serve import main
from insights.app import bootstrap

main(bootstrap)
