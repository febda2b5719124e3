"""The HTTP layer: the resolver, the one exception mapping, request and response models, OpenAPI."""
