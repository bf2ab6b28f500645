"""Findings in words on the case page: evidence levels and spacing."""

from django import template

from questionnaires.review import overview as case_overview

register = template.Library()

register.filter("evidence_words", case_overview.evidence_words)
register.filter("spacing_words", case_overview.spacing_words)
