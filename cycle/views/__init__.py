"""Views of the cycle, one module per part: stages, drafting, approval, communication,
implementation, monitoring, inventory, revision, public (no login)."""
