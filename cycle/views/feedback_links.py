"""feedback-link views (no login)."""
