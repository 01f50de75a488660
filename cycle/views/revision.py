"""revision views."""
