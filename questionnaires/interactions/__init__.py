"""The clinical core: plain Python, no ORM and no request code.

- facts.py: CaseFacts, what the engine reads (and the CASE.json format);
- knowledge.py: load, validate and index the cited data in knowledge/, with
  entries.py (the dataclasses), fields.py, parse_entries.py and parse_rules.py
  (reading one entry), crosschecks.py (checks across entries) and indexes.py;
- matching.py: free text -> substances, and search;
- doses.py: daily elemental amounts from label doses;
- engine.py: CaseFacts + Knowledge -> sorted, cited Findings, with finding.py
  (Finding), resolving.py and resolved_case.py (what the client takes and has), and one
  module per group of rule kinds: pair_rules.py (interaction, depletion),
  condition_rules.py (condition, red_flag) and limit_rules.py (upper_limit and
  unknown doses).

See docs/knowledge-base.md.
"""
