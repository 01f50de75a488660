"""The cycle's records (transitions, feedback, adoption, progress...).

They arrive with the cycle issue.
"""
