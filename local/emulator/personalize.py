"""Personalize runtime (GetRecommendations, GetPersonalizedRanking) and events (PutEvents,
PutUsers, PutItems) over the recommender, with the services' semantic checks on top of
the model validation done by the caller."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from local.emulator.filters import CompiledFilter, FilterValueError, compile_filter
from local.emulator.protocol import invalid_input, resource_not_found
from local.emulator.resources import EmulatedResources, RecipeKind
from local.emulator.sinks import EventLog
from local.recommender import Recommender, ScoredItem

DEFAULT_NUM_RESULTS = 25
MAX_NUM_RESULTS = 500
MAX_INPUT_LIST = 500
SCORELESS_KINDS = frozenset({RecipeKind.RELATED_ITEMS})
"""Personalize returns no scores for SIMS (related items) recommendations."""


def recommendation_id() -> str:
    return f"RID-{uuid.uuid4()}"


def _iso(timestamp: float | str) -> str:
    if isinstance(timestamp, str):
        try:
            parsed = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        except ValueError as error:
            raise invalid_input(f"sentAt {timestamp!r} is not a timestamp") from error
    else:
        parsed = datetime.fromtimestamp(timestamp, UTC)
    return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_object(raw: str | None, what: str) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as error:
        raise invalid_input(f"{what} must be a JSON object: {error.msg}") from error
    if not isinstance(parsed, dict):
        raise invalid_input(f"{what} must be a JSON object")
    return parsed


class PersonalizeService:
    def __init__(self, resources: EmulatedResources, recommender: Recommender, event_log: EventLog) -> None:
        self._resources = resources
        self._recommender = recommender
        self._event_log = event_log
        self._filters: dict[str, CompiledFilter] = {
            arn: compile_filter(definition) for arn, definition in resources.filters.items()
        }

    def _kind(self, arn: str) -> RecipeKind:
        kind = self._resources.kind_of(arn)
        if kind is None:
            raise resource_not_found(f"Resource {arn} does not exist.")
        return kind

    def _allowed(self, request: dict[str, Any], user_id: str | None) -> npt.NDArray[np.bool_] | None:
        filter_arn = request.get("filterArn")
        filter_values = request.get("filterValues") or {}
        if filter_arn is None:
            if filter_values:
                raise invalid_input("filterValues is only valid together with filterArn")
            return None
        compiled = self._filters.get(filter_arn)
        if compiled is None:
            raise resource_not_found(f"Resource {filter_arn} does not exist.")
        try:
            return compiled.allowed(self._recommender, user_id, filter_values)
        except FilterValueError as error:
            raise invalid_input(str(error)) from error

    @staticmethod
    def _reject_unsupported(request: dict[str, Any]) -> None:
        if request.get("metadataColumns"):
            raise invalid_input("metadataColumns requires a campaign created with item metadata enabled")
        if request.get("promotions"):
            raise invalid_input("promotions are not supported by the emulator")

    def get_recommendations(self, request: dict[str, Any]) -> dict[str, Any]:
        arns = [request[name] for name in ("campaignArn", "recommenderArn") if request.get(name)]
        if len(arns) != 1:
            raise invalid_input("Exactly one of campaignArn or recommenderArn must be provided")
        kind = self._kind(arns[0])
        self._reject_unsupported(request)
        num_results = request.get("numResults", DEFAULT_NUM_RESULTS)
        if num_results > MAX_NUM_RESULTS:
            raise invalid_input(f"numResults must be less than or equal to {MAX_NUM_RESULTS}")
        user_id: str | None = request.get("userId")
        item_id: str | None = request.get("itemId")
        if kind is RecipeKind.PERSONALIZED_RANKING:
            raise invalid_input(f"{arns[0]} serves personalized ranking: call GetPersonalizedRanking")
        allowed = self._allowed(request, user_id)
        if kind is RecipeKind.RELATED_ITEMS:
            if not item_id:
                raise invalid_input("itemId is required for a related items campaign or recommender")
            items = self._recommender.related(item_id, num_results, allowed)
        else:
            if not user_id:
                raise invalid_input("userId is required for a user personalization campaign or recommender")
            items = self._recommender.recommend(user_id, num_results, allowed)
        return {
            "itemList": _item_list(items, with_scores=kind not in SCORELESS_KINDS),
            "recommendationId": recommendation_id(),
        }

    def get_personalized_ranking(self, request: dict[str, Any]) -> dict[str, Any]:
        if self._kind(request["campaignArn"]) is not RecipeKind.PERSONALIZED_RANKING:
            raise invalid_input(f"{request['campaignArn']} does not serve personalized ranking")
        self._reject_unsupported(request)
        input_list: list[str] = request["inputList"]
        if not 1 <= len(input_list) <= MAX_INPUT_LIST:
            raise invalid_input(f"inputList must hold between 1 and {MAX_INPUT_LIST} item ids")
        allowed = self._allowed(request, request["userId"])
        ranked = self._recommender.rank(request["userId"], input_list)
        if allowed is not None:
            index = self._recommender.catalog.index
            ranked = [item for item in ranked if item.item_id not in index or allowed[index[item.item_id]]]
        return {
            "personalizedRanking": _item_list(ranked, with_scores=True),
            "recommendationId": recommendation_id(),
        }

    def put_events(self, request: dict[str, Any]) -> None:
        if request["trackingId"] != self._resources.tracking_id:
            raise invalid_input(f"The tracking ID {request['trackingId']} does not match an event tracker")
        user_id, session_id = request.get("userId"), request["sessionId"]
        records = [
            {
                "trackingId": request["trackingId"],
                "sessionId": session_id,
                "userId": user_id,
                "eventId": event.get("eventId") or str(uuid.uuid4()),
                "eventType": event["eventType"],
                "itemId": event.get("itemId"),
                "sentAt": _iso(event["sentAt"]),
                "properties": _json_object(event.get("properties"), "properties"),
                "recommendationId": event.get("recommendationId"),
                "impression": event.get("impression"),
                "eventValue": event.get("eventValue"),
            }
            for event in request["eventList"]
        ]
        for record in records:
            self._recommender.record_event(
                user_id=user_id,
                session_id=session_id,
                event_type=record["eventType"],
                item_id=record["itemId"],
            )
        self._event_log.add("personalize-events", records)

    def put_users(self, request: dict[str, Any]) -> None:
        self._put_entities(request, "USERS", "users", "userId")

    def put_items(self, request: dict[str, Any]) -> None:
        self._put_entities(request, "ITEMS", "items", "itemId")

    def _put_entities(self, request: dict[str, Any], dataset_type: str, member: str, id_field: str) -> None:
        if request["datasetArn"] != self._resources.datasets[dataset_type]:
            raise resource_not_found(f"Resource {request['datasetArn']} does not exist.")
        records = [
            {id_field: entity[id_field], "properties": _json_object(entity.get("properties"), "properties")}
            for entity in request[member]
        ]
        self._event_log.add(f"personalize-{member}", records)


def _item_list(items: list[ScoredItem], *, with_scores: bool) -> list[dict[str, Any]]:
    if with_scores:
        return [{"itemId": item.item_id, "score": item.score} for item in items]
    return [{"itemId": item.item_id} for item in items]
