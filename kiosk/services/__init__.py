"""Domain logic that knows nothing of requests: views, jobs, the CLI and importers call it."""
