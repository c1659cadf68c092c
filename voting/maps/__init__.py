"""Maps: proposals, neighbourhood boundaries and funded projects on Leaflet maps served from our own files."""
