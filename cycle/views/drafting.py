"""drafting views."""
