"""`python -m unifier`: run the service (settings from HOTLINE_* environment variables)."""

from hotline.http.serve import main
from unifier.entrypoints.app import bootstrap

main(bootstrap)
