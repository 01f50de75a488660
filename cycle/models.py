"""The cycle's records (transitions, feedback, adoption, progress...) arrive with the cycle issue."""
