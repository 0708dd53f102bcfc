"""Briefs attached to deals as HubSpot notes (generators/brief/delivery.py decides which and renders them).

One note per deal, associated with it (note to deal, HUBSPOT_DEFINED type 214). Notes have no title, so
a delivered brief is found by its first line, the delivery mark, among the notes associated with the deal
(associations v4 batch read); it is updated in place on a re-run (only when the text changed), created
otherwise (CRM objects v3: POST /crm/v3/objects/notes with hs_timestamp and hs_note_body).
"""

from __future__ import annotations

from datetime import datetime, timezone

from handrail.generators.output.brief_note import MARK, Brief, as_html, same_brief

NOTES = "/crm/v3/objects/notes"
DEAL_NOTES = "/crm/v4/associations/deals/notes/batch/read"
NOTE_TO_DEAL = 214
BATCH = 1_000


class HubSpotBriefNotes:
    def __init__(self, conn):
        self.conn = conn

    def deliver(self, briefs: list[Brief]) -> list[str]:
        existing = self._existing([b.deal_id for b in briefs])
        outcomes = []
        for brief in briefs:
            body = as_html(brief)
            note = existing.get(brief.deal_id)
            if note is None:
                self.conn.request(
                    "POST",
                    NOTES,
                    body={
                        "properties": {"hs_timestamp": _now(), "hs_note_body": body},
                        "associations": [
                            {
                                "to": {"id": brief.deal_id},
                                "types": [
                                    {
                                        "associationCategory": "HUBSPOT_DEFINED",
                                        "associationTypeId": NOTE_TO_DEAL,
                                    }
                                ],
                            }
                        ],
                    },
                )
                outcomes.append("created")
            elif same_brief(note["body"], body):
                outcomes.append("unchanged")
            else:
                self.conn.request(
                    "PATCH", f"{NOTES}/{note['id']}", body={"properties": {"hs_note_body": body}}
                )
                outcomes.append("updated")
        return outcomes

    def _existing(self, deal_ids: list[str]) -> dict[str, dict]:
        """Deal id -> {"id", "body"} of its delivered brief note."""
        notes: dict[str, list[str]] = {}
        for start in range(0, len(deal_ids), BATCH):
            inputs = [{"id": i} for i in deal_ids[start : start + BATCH]]
            while inputs:
                answer = self.conn.request("POST", DEAL_NOTES, body={"inputs": inputs}, idempotent=True)
                inputs = []
                for result in (answer or {}).get("results", []):
                    deal = str(result["from"]["id"])
                    notes.setdefault(deal, []).extend(str(t["toObjectId"]) for t in result.get("to", []))
                    after = ((result.get("paging") or {}).get("next") or {}).get("after")
                    if after:
                        inputs.append({"id": deal, "after": after})
        found: dict[str, dict] = {}
        for deal, note_ids in notes.items():
            for note_id in sorted(note_ids, key=lambda i: (len(i), i)):
                note = self.conn.request("GET", f"{NOTES}/{note_id}", query={"properties": "hs_note_body"})
                body = (note.get("properties") or {}).get("hs_note_body") or ""
                if MARK in body:
                    found[deal] = {"id": note_id, "body": body}
                    break
        return found


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
