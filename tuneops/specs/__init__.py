"""The spec language: YAML with positions, schema validation, typed models, hashing."""
