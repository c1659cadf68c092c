"""Jinja2 templates for greenballot pages (package data)."""
