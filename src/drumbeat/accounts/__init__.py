"""People, teams and roles: who may see and change what."""
