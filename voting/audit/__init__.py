"""The tamper-evident audit log: a SHA-256 hash chain over RFC 8785 canonical JSON."""
