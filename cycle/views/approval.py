"""approval views."""
