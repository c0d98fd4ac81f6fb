"""Clients for the remote services: Vertex AI tuning jobs and Gemini API tuned models.

The only package that talks HTTP (`requests`) and handles credentials
(`google.auth`). The runtime builds a client with `factory.build_backend`; the
planner never imports this package (its types live in `tuneops.core.jobs`).
Nothing is imported here, so that importing one backend module does not load them all.
"""
