"""implementation views."""
