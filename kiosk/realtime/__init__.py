"""Socket.IO namespaces, one module per client type."""
