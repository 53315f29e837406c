"""Excel integration: worksheet functions (UDFs), the "Fees" ribbon and its actions.

Nothing in here computes: each function is a thin wrapper over the engine.
"""
