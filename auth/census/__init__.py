"""The local census and residence verification: import, self-verification by document id, the moderators' desk."""
