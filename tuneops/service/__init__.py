"""`reconcile --watch` as a service: metrics, health endpoints, the loop's state.

The watch loop (tuneops.commands.reconcile) tells a `Watcher` when each cycle
starts, ends and sleeps; the watcher keeps the numbers (`metrics`), judges
liveness and readiness (`health`, pure rules) and serves both over HTTP
(`server`). prometheus-client is imported only here, and only when a metrics
port is asked for. See docs/running-on-a-schedule.md.
"""
