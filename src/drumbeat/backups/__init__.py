"""Backups of the whole database: every table, with its ids, written to one file
(`drumbeat backup`) and read back into an empty database (`drumbeat restore`).

`selectors` says which tables a backup holds and what the database holds now,
`fileformat` what the file looks like, and `services` writes and restores it.
"""
