"""Results of ballots: tallying from the ballot box, signed exports, the bulletin board and offline verification."""
