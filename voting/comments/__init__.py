"""Residents' comments on proposals and funded projects: one level of replies, reports, moderation, all audited."""
