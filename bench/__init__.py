"""The gateway's benchmark: Stripe calls and wall time of nested queries against
a hand-written SDK script, and the gateway's overhead against a bare route.

Run it with ``python -m bench`` (``--quick`` for a smoke run).
"""
