"""Citizen proposals: greening project ideas reviewed by neighbourhood moderators."""
