"""The audit: handoff quality and SLA figures over many deals, and their text, CSV, JSON and HTML reports."""
