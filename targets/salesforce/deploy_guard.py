"""One deploy at a time, never submitted twice. The org's DeployRequest records (Tooling API; the list in
Setup > Deployment Status) show every Metadata API deploy with its id and status:

- before a submit, a deploy still running in the org (an earlier run's, whose reply was lost) is waited
  for; when it saved changes, nothing is submitted, since the plan was made before them;
- after a submit whose reply was lost (no reply, a timeout, a 5xx), the deploy it started is the new
  DeployRequest with the same check-only flag: it is followed by its id instead of being submitted again;
  when none shows, the error says a deploy may be running and where to see it.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from handrail.specs.diagnostics import HandrailError
from handrail.targets.errors import TargetError
from handrail.targets.transport.redact import redact

UNFINISHED = ("Pending", "InProgress", "Canceling")
RECENT = (
    "SELECT Id, Status, CheckOnly, CreatedDate, CreatedBy.Name FROM DeployRequest "
    "ORDER BY CreatedDate DESC LIMIT 20"
)
LOOKS = 3  # times the org is asked for the deploy a lost submit started
LOOK_INTERVAL = 2.0  # seconds between them
WHERE = "Setup > Deployment Status"
log = logging.getLogger("handrail.salesforce")


@dataclass(frozen=True)
class DeployRequest:
    id: str
    status: str
    check_only: bool
    created: str
    created_by: str

    def words(self) -> str:
        by = f" by {self.created_by}" if self.created_by else ""
        return f"deploy {self.id} ({'check only, ' if self.check_only else ''}submitted {self.created}{by})"


class DeployAlreadyRan(HandrailError):
    """A deploy running when apply started has saved changes the plan did not see."""


def recent(conn) -> list[DeployRequest] | None:
    """The org's latest deploys, newest first; None when the org does not say (logged)."""
    try:
        rows = conn.tooling_query(RECENT)
    except TargetError as exc:  # MalformedReply included
        log.warning("could not list the org's deploys (%s); a deploy already running is not looked for", exc)
        return None
    return [
        DeployRequest(
            r.get("Id") or "",
            r.get("Status") or "",
            bool(r.get("CheckOnly")),
            r.get("CreatedDate") or "",
            (r.get("CreatedBy") or {}).get("Name") or "",
        )
        for r in rows
    ]


def wait_for_running(conn, deploys: list[DeployRequest] | None, wait) -> None:
    """Wait for each deploy still running; raise DeployAlreadyRan when one of them saved changes."""
    for deploy in deploys or ():
        if deploy.status not in UNFINISHED:
            continue
        _tell(f"{deploy.words()} is still {deploy.status}; waiting for it before submitting")
        status = wait(deploy.id)
        if not status.check_only and status.status in ("Succeeded", "SucceededPartial"):
            raise DeployAlreadyRan(
                f"{deploy.words()} was running in the org when apply started, and has now finished: "
                f"{status.status}. Nothing was submitted: the plan was made before that deploy changed "
                "the org.\n  hint: run `handrail plan` to see what is left to do, then apply it"
            )


def find_lost(conn, before: list[DeployRequest] | None, check_only: bool, failure: TargetError, sleep) -> str:
    """The id of the deploy an unclear submit started; when none shows, `failure` with what to do."""
    if before is not None:
        known = {d.id for d in before}
        for look in range(LOOKS):
            if look:
                sleep(LOOK_INTERVAL)
            found = [d for d in recent(conn) or () if d.id not in known and d.check_only == check_only]
            if len(found) == 1:
                _tell(f"the reply to the deploy submit was lost; following {found[0].words()}")
                return found[0].id
            if found:
                break  # more than one new deploy: which is ours cannot be told
    raise TargetError(
        "salesforce",
        "deploy",
        failure.status,
        failure.body,
        failure.headers,
        f"the deploy submit got no clear answer, so a deploy may be running in the org: see {WHERE}; "
        "`handrail apply` waits for a running deploy before submitting again, so it is never deployed twice",
    ) from failure


def unclear(failure: TargetError) -> bool:
    """A submit that failed this way (no reply, a 5xx, a reply that does not parse) may have started a
    deploy."""
    return failure.status is None or failure.status >= 500


def _tell(message: str) -> None:
    """A line on stderr, where apply reports a deploy's progress."""
    log.info("%s", message)
    sys.stderr.write(redact(message) + "\n")
