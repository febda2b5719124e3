"""The reference for the handler benchmarks: the read handlers written by hand, bare.

Each makes the same Personalize call as its project handler and answers the same JSON,
with nothing else: no validation beyond what the call needs, no CORS, no logging, no
metrics, no fallback. The SSM configuration is read once per process (the project
handlers re-read it after a TTL), with the same GetParametersByPath call.

Only the standard library and boto3 are imported, as a minimal Lambda function would.
"""

import json
from typing import Any

import boto3

PREFIX = "/retail-personalization"

_clients: dict[str, Any] = {}
_parameters: dict[str, str] = {}


def use_clients(ssm: Any, personalize: Any) -> None:
    """Give the handlers their clients (the benchmark injects stubs); otherwise built on first use."""
    _clients["ssm"] = ssm
    _clients["personalize-runtime"] = personalize
    _parameters.clear()


def _client(service: str) -> Any:
    if service not in _clients:
        _clients[service] = boto3.client(service)  # type: ignore[call-overload]
    return _clients[service]


def _parameter(name: str) -> str:
    if not _parameters:
        paginator = _client("ssm").get_paginator("get_parameters_by_path")
        for page in paginator.paginate(Path=PREFIX, Recursive=True):
            for parameter in page["Parameters"]:
                _parameters[parameter["Name"][len(PREFIX) + 1 :]] = parameter["Value"]
    return _parameters[name]


def _ok(items: list[dict[str, Any]], recommendation_id: str | None, recipe: str) -> dict[str, Any]:
    body = {"items": items, "recommendationId": recommendation_id, "source": "personalize", "recipe": recipe}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def _scored(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"itemId": entry["itemId"], "score": entry.get("score")} for entry in entries]


def _shopper(event: dict[str, Any]) -> str:
    """The signed-in shopper: the `sub` the authorizer verified (no profile emulation here)."""
    shopper: str = event["requestContext"]["authorizer"]["claims"]["sub"]
    return shopper


def recommend(event: dict[str, Any], context: Any) -> dict[str, Any]:
    query = event.get("queryStringParameters") or {}
    num_results = int(query.get("numResults", 25))
    response = _client("personalize-runtime").get_recommendations(
        campaignArn=_parameter("personalize/user-personalization-arn"),
        userId=_shopper(event),
        numResults=num_results,
    )
    return _ok(
        _scored(response["itemList"])[:num_results], response.get("recommendationId"), "user-personalization"
    )


def related(event: dict[str, Any], context: Any) -> dict[str, Any]:
    query = event.get("queryStringParameters") or {}
    num_results = int(query.get("numResults", 25))
    item_id = query["itemId"]
    response = _client("personalize-runtime").get_recommendations(
        campaignArn=_parameter("personalize/related-items-arn"),
        itemId=item_id,
        userId=_shopper(event),
        numResults=num_results + 1,
    )
    items = [item for item in _scored(response["itemList"]) if item["itemId"] != item_id]
    return _ok(items[:num_results], response.get("recommendationId"), "related-items")


def rank(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = json.loads(event["body"])
    response = _client("personalize-runtime").get_personalized_ranking(
        campaignArn=_parameter("personalize/personalized-ranking-arn"),
        userId=_shopper(event),
        inputList=request["itemIds"],
    )
    return _ok(
        _scored(response["personalizedRanking"]), response.get("recommendationId"), "personalized-ranking"
    )


HANDLERS = {"recommend": recommend, "related": related, "rank": rank}
