"""`python -m unifier.worker`: the consumer and the outbox relay without the HTTP API."""

from unifier.entrypoints.worker import main

if __name__ == "__main__":
    main()
