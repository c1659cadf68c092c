"""Role x route matrix over every operation of ``/schema/openapi.json``: below an operation's minimum role the
answer is 401 (anonymous) or 403; at or above it, never. An operation missing from the table fails the test.

Requests are harmless: path ids name nothing (404), bodies are empty (400/422) or touch only this test's
neighbourhood, all inside the test's rolled-back transaction, and every request carries a
freshly minted token (logging out or changing a password ends only that one). The table records the gate a
caller meets at the HTTP layer; finer refusals (a moderator of another neighbourhood, someone else's proposal)
are tested beside each feature."""

from __future__ import annotations

import uuid

import pytest

from auth.service import issue_for
from tests.factories import make_account, make_neighbourhood

pytestmark = pytest.mark.anyio

ROLES = ("anonymous", "citizen", "moderator", "poll_officer", "auditor", "admin")
ABOVE = {
    "anonymous": set(ROLES),
    "citizen": {"citizen", "moderator", "poll_officer", "auditor", "admin"},
    "moderator": {"moderator", "admin"},
    "poll_officer": {"poll_officer", "admin"},
    "auditor": {"auditor", "admin"},
    "admin": {"admin"},
}
"""Who is at or above each minimum: admins everything; moderators, poll officers and auditors are siblings."""

MINIMUM = {
    # authentication and accounts
    "createToken": "anonymous", "revokeToken": "citizen", "getMe": "citizen",
    "register": "anonymous", "confirmEmail": "anonymous", "requestPasswordReset": "anonymous",
    "resetPassword": "anonymous", "getAccount": "citizen", "updateAccount": "citizen", "deleteAccount": "citizen",
    "changePassword": "citizen", "resendConfirmation": "citizen", "downloadMyData": "citizen",
    "getResidence": "citizen", "checkResidence": "citizen",
    # the city, public reading
    "health": "anonymous", "publishedKeys": "anonymous", "listNeighbourhoods": "anonymous",
    "getCalendar": "anonymous",
    # proposals
    "listProposals": "anonymous", "getProposal": "anonymous", "getProposalHistory": "anonymous",
    "createProposal": "citizen", "listMyProposals": "citizen", "updateProposal": "citizen",
    "setProposalPhoto": "citizen", "supportProposal": "citizen", "removeProposalSupport": "citizen",
    "listReviewQueue": "moderator", "transitionProposal": "citizen",
    # ballots, votes, receipts, results
    "listBallots": "anonymous", "getBallot": "anonymous", "getTurnout": "anonymous",
    "getLatestCheckpoint": "anonymous", "checkReceipt": "anonymous", "checkReceiptInBody": "anonymous",
    "getResult": "anonymous", "getBulletinBoard": "anonymous", "getExportFile": "anonymous",
    "castVote": "citizen", "createCheckpoint": "citizen", "tallyBallot": "citizen", "publishBallot": "citizen",
    "getBallotShortlist": "citizen", "setBallotShortlist": "citizen",
    "createBallot": "moderator", "updateBallot": "moderator", "changeBallotStatus": "moderator",
    "createBallotGroup": "moderator", "getBallotGroup": "moderator", "updateBallotGroup": "moderator",
    "deleteBallotGroup": "moderator", "correctPaperVote": "moderator",
    "importVoterRoll": "moderator", "listCalendars": "moderator", "setCalendar": "moderator",
    "searchDeskAccounts": "moderator", "recordDeskVerification": "moderator",
    "castPaperVote": "poll_officer", "castPaperVotes": "poll_officer",
    # maps
    "mapProposals": "anonymous", "mapNeighbourhoods": "anonymous",
    # funded projects
    "listFundedProjects": "anonymous", "mapFundedProjects": "anonymous", "getFundedProject": "anonymous",
    "volunteerForProject": "citizen", "withdrawFromProject": "citizen", "updateFundedProject": "moderator",
    "postMilestone": "moderator", "setMilestonePhoto": "moderator",
    # administration
    "findAccounts": "admin", "grantRole": "admin", "revokeRole": "admin", "scopeModerator": "admin",
    "scopePollOfficer": "admin", "disableAccount": "admin", "enableAccount": "admin", "verifyAccount": "admin",
    "adminListCategories": "admin", "createCategory": "admin", "renameCategory": "admin",
    "retireCategory": "admin", "deleteCategory": "admin", "adminListNeighbourhoods": "admin",
    "createNeighbourhood": "admin", "updateNeighbourhood": "admin", "retireNeighbourhood": "admin",
    "getSettings": "admin", "updateSettings": "admin", "getCensusImport": "admin", "importCensus": "admin",
    # comments
    "listComments": "anonymous", "createComment": "citizen", "reportComment": "citizen",
    "moderateComment": "moderator", "listReportedComments": "moderator",
}

PATH_VALUES = {"ballot_id": "987654321", "proposal_id": "987654321", "account_id": str(uuid.UUID(int=7)),
               "slug": "no-such-slug", "name": "result.json", "code": "no-such-receipt", "target": "open",
               "role": "citizen", "kind": "proposal", "subject_id": "987654321", "comment_id": "987654321"}
PATH_VALUES |= {"project_id": "987654321", "milestone_id": "987654321"}  # funded projects
PATH_VALUES |= {"group_id": "987654321"}  # groups of ballots


def operations(schema: dict) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((operation["operationId"], method.upper(), path.format(**PATH_VALUES)))
    return sorted(found)


async def test_every_operation_has_a_minimum_role(client):
    schema = (await client.get("/schema/openapi.json")).json()
    listed = {operation_id for operation_id, _, _ in operations(schema)}
    assert sorted(listed - set(MINIMUM)) == [], "add these operations to MINIMUM with their minimum role"
    assert sorted(set(MINIMUM) - listed) == [], "these operations are gone: remove them from MINIMUM"


async def test_each_role_meets_the_gate_of_each_operation(client, db_session):
    app = client._transport.app  # type: ignore[attr-defined]
    settings = app.state.settings
    hood = await make_neighbourhood(db_session)
    accounts = {role: await make_account(db_session, role, neighbourhoods=[hood.slug]
                                         if role in ("moderator", "poll_officer") else None)
                for role in ROLES if role != "anonymous"}

    def headers(role: str) -> dict[str, str]:
        if role == "anonymous":
            return {"accept-language": "en"}
        token = issue_for(app.state.key_ring, accounts[role], issuer=settings.issuer, audience=settings.audience,
                          ttl_seconds=600).token
        return {"accept-language": "en", "Authorization": f"Bearer {token}"}

    schema = (await client.get("/schema/openapi.json")).json()
    wrong: list[str] = []
    for operation_id, method, path in operations(schema):
        allowed = ABOVE[MINIMUM[operation_id]]
        for role in ROLES:
            body = {} if method in ("POST", "PUT", "PATCH") else None
            if operation_id == "setCalendar":  # an empty body names the city's calendar: admins only
                body = {"neighbourhood_id": hood.id}
            response = await client.request(method, path, json=body, headers=headers(role))
            gated = response.status_code in (401, 403)
            if response.status_code >= 500 or gated == (role in allowed) or (
                    gated and role == "anonymous" and response.status_code != 401):
                wrong.append(f"{operation_id} {method} {path} as {role}: {response.status_code}")
    assert wrong == [], "\n".join(wrong)
