"""What is deployed: the functions and the HTTP routes (DESIGN sections 2 and 4).

Plain data, read by the CDK stack and by the local stack, so both build the same
system. The Lambda functions themselves do not import it.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.settings import FunctionSettings, ReadSettings


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    """Folder under lambdas/ holding handler.py; also the Powertools service name."""
    description: str
    memory_mb: int
    timeout_seconds: int
    settings_model: type[FunctionSettings]

    @property
    def handler(self) -> str:
        return f"{self.name}.handler.lambda_handler"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str


# Read functions: 3 s timeout covers the 1.0 s Personalize budget plus SSM (at most 0.45 s); 512 MB gives
# the CPU share that keeps JSON and pydantic work in the low milliseconds.
RECOMMEND = FunctionSpec("recommend", "User recommendations (GET /recommendations)", 512, 3, ReadSettings)
RELATED = FunctionSpec("related", "Related products (GET /related)", 512, 3, ReadSettings)
RANK = FunctionSpec("rank", "Personalized ranking (POST /rank)", 512, 3, ReadSettings)

READ_FUNCTIONS = (RECOMMEND, RELATED, RANK)

ROUTES = (
    Route("GET", "/recommendations", RECOMMEND.name),
    Route("GET", "/related", RELATED.name),
    Route("POST", "/rank", RANK.name),
)


def function_spec(name: str) -> FunctionSpec:
    for spec in FUNCTIONS:
        if spec.name == name:
            return spec
    raise KeyError(f"no function named {name!r}")


FUNCTIONS: tuple[FunctionSpec, ...] = READ_FUNCTIONS
