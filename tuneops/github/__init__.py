"""GitHub Actions support: the runner's environment, step reports, and pull-request comments.

Everything here switches on by itself when `GITHUB_ACTIONS=true`; nothing else
in tuneops changes on a runner. Only `tuneops.github.rest` talks HTTP.
"""
