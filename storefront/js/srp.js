/**
 * Cognito's Secure Remote Password sign-in (USER_SRP_AUTH), so the password never leaves the browser:
 * SRP-6a over the 3072-bit group of RFC 3526 with SHA-256, as Cognito computes it (the
 * PASSWORD_VERIFIER challenge). BigInt arithmetic and WebCrypto; no library, no build step.
 *
 *   const srp = await startSrp();                       // InitiateAuth with SRP_A = srp.largeA
 *   const claim = await passwordClaim(srp, {...});      // RespondToAuthChallenge with the claim
 */

const N_HEX =
  "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
  "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
  "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
  "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
  "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
  "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
  "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
  "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";
const N = BigInt(`0x${N_HEX}`);
const G = 2n;
const INFO = "Caldera Derived Key";
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const encoder = new TextEncoder();

/** (base ** exponent) % modulus, for non-negative BigInts. */
export function modPow(base, exponent, modulus) {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** Cognito's hex form of a number: even length, and a leading 00 when the first digit has its top bit set. */
export function padHex(value) {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  else if ("89abcdef".includes(hex[0])) hex = `00${hex}`;
  return hex;
}

function hexToBytes(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function bytesToHex(bytes) {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function concat(...parts) {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function sha256Hex(bytes) {
  return bytesToHex(await crypto.subtle.digest("SHA-256", bytes)).padStart(64, "0");
}

/** SHA-256 of the bytes a hex string spells, as hex. */
async function hexHash(hex) {
  return sha256Hex(hexToBytes(hex));
}

async function hmac(keyBytes, messageBytes) {
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, messageBytes));
}

function base64ToBytes(text) {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

function bytesToBase64(bytes) {
  return btoa(String.fromCharCode(...bytes));
}

/** k = H(N | g), the SRP-6a multiplier. */
async function multiplier() {
  return BigInt(`0x${await hexHash(`${padHex(N)}${padHex(G)}`)}`);
}

/** Cognito's timestamp: "Tue Dec 1 08:12:01 UTC 2026" (the day not padded). */
export function cognitoTimestamp(date = new Date()) {
  const two = (value) => String(value).padStart(2, "0");
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}

/** A fresh client secret `a` and its public value `A` (hex), for InitiateAuth's SRP_A. */
export async function startSrp(randomBytes = (length) => crypto.getRandomValues(new Uint8Array(length))) {
  for (;;) {
    const smallA = BigInt(`0x${bytesToHex(randomBytes(128))}`) % N;
    const largeA = modPow(G, smallA, N);
    if (smallA !== 0n && largeA % N !== 0n) return { smallA, largeA: largeA.toString(16) };
  }
}

/**
 * The PASSWORD_VERIFIER answer: the password claim's signature over the challenge's secret block.
 * `userIdForSrp`, `srpB`, `salt` and `secretBlock` come from the challenge's parameters.
 */
export async function passwordClaim(srp, { userPoolId, userIdForSrp, password, srpB, salt, secretBlock, now = new Date() }) {
  const poolName = userPoolId.split("_")[1];
  const largeA = BigInt(`0x${srp.largeA}`);
  const largeB = BigInt(`0x${srpB}`);
  if (largeB % N === 0n) throw new Error("the server's SRP value is invalid");
  const u = BigInt(`0x${await hexHash(padHex(largeA) + padHex(largeB))}`);
  if (u === 0n) throw new Error("the SRP scrambling parameter is zero");
  const passwordHash = await sha256Hex(encoder.encode(`${poolName}${userIdForSrp}:${password}`));
  const x = BigInt(`0x${await hexHash(padHex(BigInt(`0x${salt}`)) + passwordHash)}`);
  const k = await multiplier();
  const base = (((largeB - k * modPow(G, x, N)) % N) + N) % N;
  const sharedS = modPow(base, srp.smallA + u * x, N);
  // HKDF-SHA256 (RFC 5869), one block: the 16-byte key of the claim.
  const prk = await hmac(hexToBytes(padHex(u)), hexToBytes(padHex(sharedS)));
  const key = (await hmac(prk, concat(encoder.encode(INFO), new Uint8Array([1])))).slice(0, 16);
  const timestamp = cognitoTimestamp(now);
  const message = concat(
    encoder.encode(poolName),
    encoder.encode(userIdForSrp),
    base64ToBytes(secretBlock),
    encoder.encode(timestamp),
  );
  return { signature: bytesToBase64(await hmac(key, message)), timestamp };
}
