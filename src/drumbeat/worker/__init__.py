"""The background worker: its heartbeat, the work it leaves when it dies, and the
health report."""
