"""What every ``hotline import`` command shares: the ledger of acked markers (a re-import
publishes nothing), the progress bar, and the producer connection (acks=all) with its clear
"broker not reachable" error. The commands themselves live with their services
(email_ingest: ``import mbox``/``import maildir``; voice: ``import calls``)."""

from hotline.imports.connect import connected_producer, failed
from hotline.imports.ledger import Ledger
from hotline.imports.progress import progress

__all__ = ["Ledger", "connected_producer", "failed", "progress"]
