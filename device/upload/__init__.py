"""Uploads: the durable queue, its database, the verified transfer, the S3 store, credentials."""
