"""The participatory process calendar: proposals, supports, review, vote and results, city-wide or per neighbourhood."""
