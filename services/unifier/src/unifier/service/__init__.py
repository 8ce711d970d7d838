"""Agent commands: merge and unmerge contacts, close/reopen/merge/split threads, request a reply,
apply reply results, accept or dismiss suggestions. Each runs in one transaction of the store."""
