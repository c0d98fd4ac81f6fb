"""The project: `tuneops.yaml` read and checked (`file`), and its typed model (`settings`).

Nothing is imported here, so that `validate` loads the file without pydantic.
"""
