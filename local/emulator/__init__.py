"""Amazon Personalize (runtime, events) and Amazon Pinpoint emulator speaking botocore's rest-json."""

from local.emulator.resources import EmulatedResources, RecipeKind, default_resources
from local.emulator.server import EmulatorServer

__all__ = ["EmulatedResources", "EmulatorServer", "RecipeKind", "default_resources"]
