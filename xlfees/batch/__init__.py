"""The batch: many client folders into workbooks, letters, group roll-ups and an index.

run.py runs each client in a process of its own and gives back results.py's types;
groups.py rolls a group's locations up; manifest.py writes what `xlfees send` reads back;
index.py writes index.xlsx; send.py e-mails each owner their files."""
