"""What the CRM clients share: HTTP retry with backoff, and redaction of secrets from messages and logs."""
