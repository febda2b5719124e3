"""Powertools' aggregate packages, with each name loaded from its own module when first used.

`aws_lambda_powertools.event_handler` imports every resolver Powertools has (AppSync's pulls in
asyncio; Bedrock agents, VPC Lattice, Lambda function URLs, its own HTTP server), and
`aws_lambda_powertools.utilities.data_classes` every event class (about forty: CodePipeline's
brings tempfile, Kafka's and S3's their own), when a read function uses the REST resolver and its
event only: about a tenth of a cold start's imports for modules no request runs.

`defer_package_init` puts such a package in `sys.modules` without running its `__init__`; a name
the `__init__` imports (`from aws_lambda_powertools.event_handler import APIGatewayRestResolver`,
the way Powertools' own modules import each other) is then imported from the submodule it comes
from, at its first use, and a submodule is imported as usual. Every name of the package stays
importable; anything else the `__init__` would define runs it in full. Where the package was
already imported, or its source cannot be read, nothing changes.
"""

from __future__ import annotations

import ast
import importlib
import importlib.machinery
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

POWERTOOLS_AGGREGATES = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.data_classes",
)

_init_lock = threading.Lock()


def defer_powertools_aggregates() -> None:
    for name in POWERTOOLS_AGGREGATES:
        defer_package_init(name)


def imported_names(source: str, package: str) -> tuple[dict[str, str], list[str] | None]:
    """The names a package's `__init__` imports, each with the module it imports it from, and its
    `__all__` when that is a literal list; None when the `__init__` does anything else than
    importing names and listing them (then it must run as it is)."""
    where: dict[str, str] = {}
    exported: list[str] | None = None
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and node.names[0].name != "*":
            if node.level == 0:
                base = node.module or ""
            else:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{node.module}" if node.module else parent
            for alias in node.names:
                where[alias.asname or alias.name] = base
        elif (
            isinstance(node, ast.Assign)
            and [getattr(target, "id", None) for target in node.targets] == ["__all__"]
            and isinstance(node.value, ast.List | ast.Tuple)
        ):
            exported = [ast.literal_eval(element) for element in node.value.elts]
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):  # a docstring
            raise ValueError(f"{package}.__init__ does more than import names")
    return where, exported


def defer_package_init(name: str) -> bool:
    """Install package `name` with its `__init__` deferred; False where it stays as it is (call it
    while importing, before anything imports the package: it is not meant to race other imports)."""
    if name in sys.modules:
        return False
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None or spec.loader is None:
        return False
    try:
        source = spec.loader.get_source(name)  # type: ignore[attr-defined]
        where, exported = imported_names(source, name) if source else ({}, None)
    except (AttributeError, ImportError, OSError, SyntaxError, ValueError):
        return False
    if not where or name in sys.modules:
        return False
    module = importlib.util.module_from_spec(spec)
    module.__getattr__ = _resolver(module, where)  # type: ignore[method-assign]
    if exported is not None:
        module.__all__ = exported  # type: ignore[attr-defined]
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return True


def _resolver(module: ModuleType, where: dict[str, str]) -> Any:
    """The package's `__getattr__`. A name is resolved without a lock of ours (two threads that
    resolve it at once import the same module and get the same object; holding a lock while
    importing could deadlock with the import system's own locks); only running the whole
    `__init__`, which must happen once, takes one."""
    name = module.__name__
    ran_init: list[bool] = []

    def __getattr__(attribute: str) -> Any:  # a module's __getattr__ (PEP 562)
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if attribute in where:
            value = getattr(importlib.import_module(where[attribute]), attribute)
        elif importlib.machinery.PathFinder.find_spec(f"{name}.{attribute}", module.__path__):
            value = importlib.import_module(f"{name}.{attribute}")
        else:
            with _init_lock:
                if not ran_init:
                    ran_init.append(True)
                    module.__spec__.loader.exec_module(module)  # type: ignore[union-attr]
            if attribute not in module.__dict__:
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
            return module.__dict__[attribute]
        setattr(module, attribute, value)
        return value

    return __getattr__
