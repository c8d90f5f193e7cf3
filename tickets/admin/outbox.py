"""Admin of the transcript outbox: failed e-mails are visible and can be sent again."""
