"""One cold start, run in a fresh interpreter by bench.bench_cold_start.

`python -m bench.bench_cold_probe FUNCTION ours|bare`: import the handler, build the AWS
clients it needs (the same code on both sides: SSM and Personalize runtime clients whose
answers botocore's Stubber supplies, so no network), serve one request, and print one JSON
line with the timings and the wall-clock instant the answer was ready.

The clients come from a botocore session (a boto3 client is that same botocore client), so the
probe imports nothing a handler would not: the bare handler imports boto3 itself, as a minimal
function does; ours builds its clients with botocore and never loads boto3.
"""

import json
import sys
import time

from bench.bench_scenario import PREFIX, SSM_VALUES, project_handler, route_case


def stubbed_clients(operation: str, answer: dict) -> tuple[object, object]:
    import botocore.session
    from botocore.stub import Stubber

    session = botocore.session.get_session()
    ssm = session.create_client("ssm", region_name="us-east-1")
    parameters = [
        {
            "Name": f"{PREFIX}/{name}",
            "Value": value,
            "Type": "StringList" if name == "catalog/featured-item-ids" else "String",
        }
        for name, value in SSM_VALUES.items()
    ]
    ssm_stub = Stubber(ssm)
    ssm_stub.add_response("get_parameters_by_path", {"Parameters": parameters})
    ssm_stub.activate()
    personalize = session.create_client("personalize-runtime", region_name="us-east-1")
    personalize_stub = Stubber(personalize)
    personalize_stub.add_response(operation, answer)
    personalize_stub.activate()
    return ssm, personalize


def main(function: str, side: str) -> None:
    case = route_case(function)
    event, answer = case.event(), case.canned_answer()
    started = time.perf_counter()
    if side == "ours":
        handler = project_handler(function)
    else:
        from bench.bench_bare_handlers import HANDLERS

        handler = HANDLERS[function]
    imported = time.perf_counter()
    ssm, personalize = stubbed_clients(case.operation, answer)
    if side == "ours":
        import personalization.adapters.aws as aws

        aws.set_client("ssm", ssm)
        aws.set_client("personalize-runtime", personalize)
    else:
        from bench.bench_bare_handlers import use_clients

        use_clients(ssm, personalize)
    response = handler(event, None if side == "bare" else _context())
    served = time.perf_counter()
    served_at = time.time()
    body = json.loads(response["body"])
    print(
        json.dumps(
            {
                "status": response["statusCode"],
                "source": body.get("source"),
                "experiment": body.get("experiment"),
                "import_seconds": imported - started,
                "first_request_seconds": served - imported,
                "served_at": served_at,
            }
        )
    )


def _context() -> object:
    from tests.apigw import FakeLambdaContext

    return FakeLambdaContext()


if __name__ == "__main__":
    main(*sys.argv[1:3])
