"""The Gemini API `tunedModels`, REST v1beta: requests, answer shapes, views."""
