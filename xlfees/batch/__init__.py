"""The batch: many client folders into workbooks, letters, a group roll-up and an index,
each client in a process of its own (run), the index (index) and the e-mail (send)."""
