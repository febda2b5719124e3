"""The HTTP layer: the resolver, the one exception mapping, request and response models, OpenAPI.

Importing it defers the `__init__` of Powertools' aggregate packages (`personalization.lazy_packages`):
a function imports the resolver and event classes it uses, not every one Powertools has. A handler
takes its parameter markers from `personalization.http.params`, so that happens before its routes
import Powertools' event handler.
"""

from personalization.lazy_packages import defer_powertools_aggregates

defer_powertools_aggregates()
