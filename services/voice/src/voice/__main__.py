"""`python -m voice`: run the service (settings from HOTLINE_* environment variables)."""

from hotline.http.serve import main
from voice.app import bootstrap

main(bootstrap)
