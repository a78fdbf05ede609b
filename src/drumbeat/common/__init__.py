"""What the apps share below them: optimistic locking and form helpers for edits,
the REST API's error shapes and pages, and the guards of admin-only views. It
imports no app, so that every app may import it and no import runs back up."""
