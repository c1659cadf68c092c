"""City administration: neighbourhoods, categories, settings and keys."""
