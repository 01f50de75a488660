"""stages views."""
