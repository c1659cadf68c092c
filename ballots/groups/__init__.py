"""Grouped ballots: a city-wide ballot and its district ballots, where each resident votes in their own district
and N others (Barcelona's "my district plus one")."""
