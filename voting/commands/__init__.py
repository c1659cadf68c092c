"""Implementations of the ``greenballot`` commands; each imports what it needs when it runs."""
