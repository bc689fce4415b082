"""Builders and state changes for each resource family.

The HTTP endpoints and the demo seed both go through these functions, so
seeded objects and objects created over HTTP are built the same way.
"""
