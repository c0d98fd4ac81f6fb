"""Local Vertex datasets and the staging bucket: the upload before a create (`upload`)
and the check that a bucket is configured (`bucket_check`).

Nothing is imported here: `validate` runs the check without the Cloud Storage client.
"""
