"""Computing student-goal indicators from the WBL experience inventory (in SQL)."""


def compute_indicator(indicator):
    """The current value of a computed indicator (its ComputedRule over the inventory), or None
    when the indicator has no rule. Implemented by the inventory work; see issue 4."""
    raise NotImplementedError("computed indicators arrive with the inventory work")
