"""ballots"""
