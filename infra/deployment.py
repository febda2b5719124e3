"""Facts only a deployment needs: function memory, and what API Gateway itself answers.

Plain data (no CDK import), so the local stack, which plays Lambda and API Gateway, reads
the same values as the CDK stack. The functions' own code never needs them.
"""

from __future__ import annotations

from collections.abc import Mapping

from personalization.contracts.topology import (
    PERSONALIZE_SYNC,
    PINPOINT_SYNC,
    RANK,
    RECOMMEND,
    RELATED,
    TRACK_EVENT,
    FunctionSpec,
)

MEMORY_MB: Mapping[FunctionSpec, int] = {
    # 512 MB gives the read functions the CPU share that keeps JSON and pydantic work in the low ms.
    RECOMMEND: 512,
    RELATED: 512,
    RANK: 512,
    TRACK_EVENT: 256,
    PERSONALIZE_SYNC: 256,
    PINPOINT_SYNC: 256,
}

SNAPSTART: frozenset[FunctionSpec] = frozenset({RECOMMEND, RELATED, RANK})
"""Functions with Lambda SnapStart on their published versions: the read path, where a shopper waits
for the first answer of a new instance. Each gets a `live` alias on its current version, which the
API integrates with; the hooks are `personalization.snapstart`. The sinks and track_event start
cold rarely and nobody waits on a sink, so they keep plain on-demand starts (and no cache charge)."""
SNAPSTART_ALIAS = "live"

DEFAULT_STAGE = "v1"
CORS_ALLOWED_HEADERS = ("Content-Type", "Authorization")
"""What a cross-origin call may send: JSON bodies, and the Cognito ID token of the /me/* routes."""
CORS_MAX_AGE_SECONDS = 3600
METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
BAD_REQUEST_BODY = {
    "message": "Invalid request body",
    "errors": [{"field": "body", "problem": "must be a JSON object"}],
}
"""The gateway's request validator refuses a body that is not a JSON object with this answer."""
