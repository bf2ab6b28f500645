"""Questionnaires, responses and findings (built in the intake and review issues)."""
