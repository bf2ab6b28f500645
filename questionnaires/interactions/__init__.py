"""The clinical core: plain Python, no ORM and no request code.

- facts.py: CaseFacts, what the engine reads (and the CASE.json format);
- knowledge.py: load, validate and index the cited data in knowledge/;
- matching.py: free text -> substances, and search;
- doses.py: daily elemental amounts from label doses;
- engine.py: CaseFacts + Knowledge -> sorted, cited Findings.

See docs/knowledge-base.md.
"""
