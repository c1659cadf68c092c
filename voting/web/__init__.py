"""The web shell: template engine, home page, health, language switch."""
