"""monitoring views."""
