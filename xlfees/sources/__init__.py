"""Sources: what a practice already has, each read on its own: a client folder and its
client.toml, a clients folder's group.toml, X12 835 remittances and an Open Dental database.

A source imports the readers and the shared base only; the client (xlfees.client) is
built from what they give.
"""
