"""communication views."""
