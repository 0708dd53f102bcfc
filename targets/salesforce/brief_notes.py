"""Briefs attached to Opportunities as Notes (generators/brief/delivery.py decides which and renders them).

One Note per deal, titled "Handoff brief (Handrail)": found by its title and parent, updated in place on a
re-run (only when the text changed), created otherwise. A Note is the classic note object: Lightning shows
it in the Notes & Attachments related list; its Body holds up to 32,000 characters of plain text (SOAP API
Developer Guide, Note object), so a longer brief is cut there with a line saying so.
"""

from __future__ import annotations

from handrail.generators.output.brief_note import TITLE, Brief, same_brief
from handrail.targets.salesforce.deals import quote

BODY_MAX = 32_000
CUT = "\n\n[cut at 32,000 characters: run handrail brief for the whole text]"
IN_CLAUSE = 200  # ids per query, well inside the SOQL statement length


class SalesforceBriefNotes:
    def __init__(self, conn):
        self.conn = conn

    def deliver(self, briefs: list[Brief]) -> list[str]:
        existing = self._existing([b.deal_id for b in briefs])
        outcomes = []
        for brief in briefs:
            body = _body(brief.text)
            note = existing.get(brief.deal_id)
            if note is None:
                self.conn.dml(
                    "create",
                    "Note",
                    {"ParentId": brief.deal_id, "Title": TITLE, "Body": body, "IsPrivate": False},
                )
                outcomes.append("created")
            elif same_brief(note.get("Body") or "", body):
                outcomes.append("unchanged")
            else:
                self.conn.dml("update", "Note", note["Id"], {"Body": body})
                outcomes.append("updated")
        return outcomes

    def _existing(self, deal_ids: list[str]) -> dict[str, dict]:
        """Deal id -> its brief Note (the oldest, should there be several)."""
        found: dict[str, dict] = {}
        for start in range(0, len(deal_ids), IN_CLAUSE):
            ids = ", ".join(quote(i) for i in deal_ids[start : start + IN_CLAUSE])
            rows = self.conn.query_all(
                f"SELECT Id, ParentId, Body FROM Note WHERE Title = {quote(TITLE)} AND ParentId IN ({ids}) "
                "ORDER BY CreatedDate"
            )
            for row in rows:
                found.setdefault(row["ParentId"], row)
        return found


def _body(text: str) -> str:
    return text if len(text) <= BODY_MAX else text[: BODY_MAX - len(CUT)] + CUT
