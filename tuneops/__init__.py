"""tuneops: declarative, GitOps-style fine-tuning jobs for Vertex AI and the Gemini API."""

__version__ = "0.1.0"
