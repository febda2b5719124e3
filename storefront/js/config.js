/**
 * The runtime configuration: `config.json` next to index.html, written at deploy or by the local stack.
 * `cognito` ({region, userPoolId, clientId}, and locally `endpoint` and `authFlow`) turns on accounts;
 * `profileEmulation` (default true) shows the Profile page's shopper chooser.
 */

export class ConfigError extends Error {}

const DEFAULTS = { apiTimeoutMs: 2500, eventFlushIntervalMs: 1000 };

export async function loadConfig(url = new URL("config.json", document.baseURI)) {
  let response;
  try {
    response = await fetch(url, { cache: "no-store" });
  } catch (error) {
    throw new ConfigError(`config.json could not be fetched (${error.message}).`);
  }
  if (!response.ok) {
    throw new ConfigError(`config.json could not be loaded (HTTP ${response.status}).`);
  }
  let raw;
  try {
    raw = await response.json();
  } catch {
    throw new ConfigError("config.json is not valid JSON.");
  }
  return parseConfig(raw);
}

function parseConfig(raw) {
  if (typeof raw?.apiBaseUrl !== "string" || raw.apiBaseUrl.trim() === "") {
    throw new ConfigError('config.json has no "apiBaseUrl" (for example "http://127.0.0.1:3000").');
  }
  return Object.freeze({
    apiBaseUrl: new URL(raw.apiBaseUrl.replace(/\/*$/, "/"), document.baseURI).href,
    dataBaseUrl: new URL(raw.dataBaseUrl ?? "data/", document.baseURI).href,
    apiTimeoutMs: milliseconds(raw, "apiTimeoutMs"),
    eventFlushIntervalMs: milliseconds(raw, "eventFlushIntervalMs"),
    cognito: parseCognito(raw.cognito),
    profileEmulation: raw.profileEmulation !== false,
  });
}

const AUTH_FLOWS = ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"];

/** The user pool the shop signs in with (absent: no accounts, every visitor is anonymous). */
function parseCognito(cognito) {
  if (cognito === undefined || cognito === null) return null;
  for (const name of ["region", "userPoolId", "clientId"]) {
    if (typeof cognito[name] !== "string" || cognito[name] === "") {
      throw new ConfigError(`"cognito.${name}" in config.json must be a non-empty string.`);
    }
  }
  const authFlow = cognito.authFlow ?? "USER_SRP_AUTH";
  if (!AUTH_FLOWS.includes(authFlow)) {
    throw new ConfigError(`"cognito.authFlow" in config.json must be one of ${AUTH_FLOWS.join(", ")}.`);
  }
  return Object.freeze({
    region: cognito.region,
    userPoolId: cognito.userPoolId,
    clientId: cognito.clientId,
    endpoint: cognito.endpoint ? new URL(cognito.endpoint).href : null,
    authFlow,
  });
}

function milliseconds(raw, name) {
  const value = raw[name] ?? DEFAULTS[name];
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`"${name}" in config.json must be a positive number of milliseconds.`);
  }
  return value;
}
