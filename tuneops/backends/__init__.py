"""Clients for the remote services, in three rooms.

- `transport/`: how every call travels: the HTTP session, the one retry policy,
  pacing, deadlines, credentials, redaction, and the error tree every client
  raises. The only room that imports `requests` and `google.auth`.
- `vertex/`, `gemini/`, `storage/`: one package per service: its requests, the
  shapes of its answers, how they map to tuneops' values. They do not import
  each other; what the two tuning services share (the `Backend` protocol, how
  tuneops marks its jobs, the JSON both APIs write) is in `shared/`.
- `construction.py`: builds a client from the settings it needs, the
  environment and options; the runtime asks it once per client.

The planner never imports this package (its types live in `tuneops.core.jobs`).
Nothing is imported here, so that importing one module does not load them all.
"""
