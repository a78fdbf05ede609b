"""Reminders and digests: who is sent what, when, by e-mail and webhooks."""
