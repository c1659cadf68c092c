"""voting"""
