"""E-mail: the outbox written in the caller's transaction, the sender, and the message templates."""
