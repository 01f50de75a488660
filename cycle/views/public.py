"""public views."""
