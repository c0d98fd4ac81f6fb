"""Vertex AI `projects.locations.tuningJobs`, REST v1: requests, answer shapes, views."""
