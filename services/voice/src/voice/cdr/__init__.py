"""Call-detail records (a PBX's call history) into call events: ``reader`` streams a CSV file's
rows, ``asterisk`` and ``generic`` parse them into ``record.CallRecord``s (pure, table-tested),
``fold`` makes the Asterisk rows of one call one record,
``calls`` turns a record into its call events, ``importer`` publishes them through the shared
intake with a ledger. ``hotline import calls`` (``voice.import_cli``) is the command."""
