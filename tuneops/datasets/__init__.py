"""Vertex AI supervised-tuning datasets: the JSONL format, the per-model limits,
and a streaming checker that turns every bad line into a diagnostic.

Pure: it reads local files and byte streams, and never talks to a service.
See docs/datasets.md for the rules and where they come from.
"""
