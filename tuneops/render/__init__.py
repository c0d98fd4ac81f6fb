"""Renderers: turn result values into text, JSON, Markdown or GitHub annotations."""
