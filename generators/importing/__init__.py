"""`handrail import`: a draft spec from what an org already holds (targets/*/importer.py read it)."""
