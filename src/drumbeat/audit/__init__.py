"""The audit log: every change to people, roles, tokens, webhooks, definitions,
sources, targets, cycles and readings, with who made it, when and what."""
