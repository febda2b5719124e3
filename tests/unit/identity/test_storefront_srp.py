"""The storefront's SRP sign-in (storefront/js/srp.js) proves the password as Cognito checks it.

The test plays Cognito's side of SRP-6a (RFC 5054, the 3072-bit group of RFC 3526, SHA-256, and
Cognito's HKDF key and claim layout): it keeps the verifier of the password, answers with B, and
checks the signature the storefront's code computes in Node (the same module the browser loads).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import subprocess
import uuid

import pytest

from repository import STOREFRONT_DIR

pytestmark = [
    pytest.mark.unit,
]


def rfc3526_prime_3072() -> int:
    """2^3072 - 2^3008 - 1 + 2^64 * (floor(2^2942 * pi) + 1690314), pi from Machin's formula."""
    guard = 64
    one = 1 << (2942 + guard)

    def arctan_inv(x: int) -> int:
        total = term = one // x
        n, sign = 1, -1
        while term:
            term //= x * x
            total += sign * (term // (2 * n + 1))
            sign, n = -sign, n + 1
        return total

    pi = (4 * (4 * arctan_inv(5) - arctan_inv(239))) >> guard
    return 2**3072 - 2**3008 - 1 + 2**64 * (pi + 1690314)


N = rfc3526_prime_3072()
G = 2
POOL_ID = "us-east-1_Abc123Pool"
USER_ID = str(uuid.uuid4())
PASSWORD = "Correct-horse-7"


def pad_hex(value: int) -> str:
    text = format(value, "x")
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def hex_hash(text: str) -> str:
    return hashlib.sha256(bytes.fromhex(text)).hexdigest()


def as_int(text: str) -> int:
    return int(text, 16)


K = as_int(hex_hash(pad_hex(N) + pad_hex(G)))


def x_value(salt: str, password: str) -> int:
    pool_name = POOL_ID.split("_")[1]
    inner = hashlib.sha256(f"{pool_name}{USER_ID}:{password}".encode()).hexdigest()
    return as_int(hex_hash(pad_hex(as_int(salt)) + inner))


def expected_signature(
    large_a: int, b: int, large_b: int, verifier: int, secret_block: str, timestamp: str
) -> str:
    """Cognito's side: S = (A * v^u)^b, the HKDF key, the HMAC over pool, user, block and time."""
    u = as_int(hex_hash(pad_hex(large_a) + pad_hex(large_b)))
    shared = pow(large_a * pow(verifier, u, N), b, N)
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(shared)), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
    message = (
        POOL_ID.split("_")[1].encode()
        + USER_ID.encode()
        + base64.b64decode(secret_block)
        + timestamp.encode()
    )
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


NODE_SCRIPT = """
import { startSrp, passwordClaim, padHex } from "%(module)s";
const input = JSON.parse(process.argv[1]);
const aBytes = Uint8Array.from(Buffer.from(input.aHex, "hex"));
const srp = await startSrp(() => aBytes);
const claim = await passwordClaim(srp, { ...input.challenge, now: new Date(input.now) });
const pad = [padHex(15n), padHex(128n), padHex(4096n)];
console.log(JSON.stringify({ largeA: srp.largeA, ...claim, pad }));
"""


def run_client(a_hex: str, challenge: dict[str, str], now: str) -> dict[str, object]:
    script = NODE_SCRIPT % {"module": (STOREFRONT_DIR / "js" / "srp.js").as_uri()}
    payload = json.dumps({"aHex": a_hex, "challenge": challenge, "now": now})
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script, payload],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("salt", ["0a1b2c3d4e5f60718293a4b5c6d7e8f9", "f1e2d3c4b5a697887766554433221100"])
def test_the_claim_is_what_cognito_expects_for_the_right_password_only(salt: str) -> None:
    verifier = pow(G, x_value(salt, PASSWORD), N)
    b = secrets.randbits(1024)
    large_b = (K * verifier + pow(G, b, N)) % N
    secret_block = base64.b64encode(secrets.token_bytes(64)).decode()
    a_hex = secrets.token_hex(128)
    challenge = {
        "userPoolId": POOL_ID,
        "userIdForSrp": USER_ID,
        "srpB": format(large_b, "x"),
        "salt": salt,
        "secretBlock": secret_block,
    }
    right = run_client(a_hex, {**challenge, "password": PASSWORD}, "2026-12-01T08:05:09Z")
    assert right["timestamp"] == "Tue Dec 1 08:05:09 UTC 2026"
    assert right["pad"] == ["0f", "0080", "1000"]
    large_a = as_int(str(right["largeA"]))
    assert large_a == pow(G, as_int(a_hex) % N, N)
    assert right["signature"] == expected_signature(
        large_a, b, large_b, verifier, secret_block, str(right["timestamp"])
    )

    wrong = run_client(a_hex, {**challenge, "password": "Wrong-horse-7"}, "2026-12-01T08:05:09Z")
    assert wrong["signature"] != right["signature"]


def test_the_group_is_rfc_3526s_3072_bit_prime() -> None:
    text = (STOREFRONT_DIR / "js" / "srp.js").read_text()
    hex_digits = "".join(
        part.strip('" +;\n') for part in text.split("const N_HEX =")[1].split("const N =")[0].split("\n")
    )
    assert int(hex_digits, 16) == N
