"""The agent API (JSON, OpenAPI) and the server-rendered inbox page."""
