"""`python -m local.demo` (`make demo`): the whole system on this machine until Ctrl-C.

Options win over environment variables, which win over the defaults:
  --api-port         DEMO_API_PORT          3000
  --storefront-port  DEMO_STOREFRONT_PORT   8080
  --data             DEMO_DATA_DIR          .demo-data/ in the repository
  --seed             DEMO_SEED              42 (the dataset is generated again for another seed)
  --no-profile-emulation                    a signed-in account shops as itself only (as
                                            `-c profileEmulation=false` deploys)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from dataset import GeneratorConfig
from local.data import DataFolder, dataset_is_current
from local.stack import LocalStack, PortsBusyError, StackOptions
from repository import DEFAULT_DATA_DIR

EXIT_PORTS_BUSY = 2


def parse_options(argv: list[str] | None, environ: dict[str, str]) -> tuple[StackOptions, bool]:
    """The stack options and whether to print the machine-readable line instead of the block."""
    defaults = GeneratorConfig()
    parser = argparse.ArgumentParser(
        prog="python -m local.demo",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument("--api-port", type=int, default=int(environ.get("DEMO_API_PORT", 3000)))
    parser.add_argument("--storefront-port", type=int, default=int(environ.get("DEMO_STOREFRONT_PORT", 8080)))
    parser.add_argument("--data", type=Path, default=Path(environ.get("DEMO_DATA_DIR", DEFAULT_DATA_DIR)))
    parser.add_argument("--seed", type=int, default=int(environ.get("DEMO_SEED", defaults.seed)))
    parser.add_argument("--users", type=int, default=defaults.users, help=argparse.SUPPRESS)
    parser.add_argument("--items", type=int, default=defaults.items, help=argparse.SUPPRESS)
    parser.add_argument("--interactions", type=int, default=defaults.interactions, help=argparse.SUPPRESS)
    parser.add_argument(
        "--sink-visibility-timeout", type=int, default=None, help=argparse.SUPPRESS
    )  # tests: redelivery within seconds
    parser.add_argument(
        "--no-profile-emulation",
        dest="profile_emulation",
        action="store_false",
        help="accounts cannot emulate a dataset shopper (custom:shopper_id is neither writable nor read)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line with every URL (for tests)")
    arguments = parser.parse_args(argv)
    for name in ("api_port", "storefront_port"):
        if not 0 <= getattr(arguments, name) <= 65535:
            parser.error(f"--{name.replace('_', '-')} must be a TCP port (0-65535)")
    dataset = GeneratorConfig(
        seed=arguments.seed, users=arguments.users, items=arguments.items, interactions=arguments.interactions
    )
    options = StackOptions(
        data_dir=arguments.data.resolve(),
        api_port=arguments.api_port,
        storefront_port=arguments.storefront_port,
        dataset=dataset,
        sink_visibility_timeout_seconds=arguments.sink_visibility_timeout,
        profile_emulation=arguments.profile_emulation,
    )
    return options, arguments.json


def configure_logging(folder: DataFolder) -> None:
    """The stack's own log goes to a file, like the functions' logs; the console stays quiet."""
    folder.logs.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(folder.log("stack"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def banner(stack: LocalStack, seconds: float, generated: bool) -> str:
    logs = stack.folder.logs
    dataset_note = ", dataset generated" if generated else ""
    return "\n".join(
        [
            f"Retail personalization demo is up ({seconds:.1f} s{dataset_note}).",
            f"  Storefront  {stack.storefront_url}",
            f"  API         {stack.api_url}  (try {stack.api_url}/recommendations; /me/* needs a token)",
            f"  Sign in     {stack.accounts.demo_email} / {stack.accounts.demo_password}"
            "  (the demo account; sign-ups are confirmed at once)",
            f"  Data        {stack.folder.root}  (logs: {logs}/<part>.log)",
            f"  Endpoints   {stack.folder.endpoints}  (the local AWS services, for the AWS CLI and scripts)",
            "Press Ctrl-C to stop.",
        ]
    )


def wait_for_stop_signal() -> None:
    stopping = threading.Event()

    def request_stop(_signal: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    stopping.wait()


def main(argv: list[str] | None = None) -> int:
    options, machine_readable = parse_options(argv, dict(os.environ))
    stack = LocalStack(options)
    configure_logging(stack.folder)
    # Until the stack is up, SIGTERM stops the start as Ctrl-C does (the start cleans up after itself).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if not machine_readable and not dataset_is_current(stack.folder.dataset, options.dataset):
        print("Generating the demo dataset (first run, or another seed)...", flush=True)
    try:
        report = stack.start()
    except PortsBusyError as error:
        print(
            f"Cannot start the demo: {error} (is another demo running?). Stop it, or choose other ports "
            "with --api-port/--storefront-port or DEMO_API_PORT/DEMO_STOREFRONT_PORT.",
            file=sys.stderr,
        )
        return EXIT_PORTS_BUSY
    except KeyboardInterrupt:
        print("Stopped before the demo was up.", file=sys.stderr)
        return 130
    try:
        if machine_readable:
            print(json.dumps(stack.describe()), flush=True)
        else:
            print(banner(stack, report.seconds, report.dataset_generated), flush=True)
        wait_for_stop_signal()
    finally:
        stack.stop()
    if not machine_readable:
        print("Demo stopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
