"""The Cloud Storage JSON API subset tuneops needs, and the checksums objects carry."""
