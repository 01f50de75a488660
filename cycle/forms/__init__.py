"""Forms of the cycle, one module per part."""
