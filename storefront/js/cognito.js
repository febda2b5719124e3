/**
 * Amazon Cognito's user-pool API, called from the browser (docs/architecture.md §4): a JSON POST to
 * `https://cognito-idp.<region>.amazonaws.com/` (or the local twin's endpoint from config.json) with
 * `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`. These operations take no AWS
 * signature: the app client id, a password proof or a token authorizes them.
 */

import { passwordClaim, startSrp } from "./srp.js";

const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";
const TIMEOUT_MS = 10_000;

export class CognitoError extends Error {
  /** `type` is Cognito's error name, e.g. NotAuthorizedException, UsernameExistsException. */
  constructor(type, message) {
    super(message || type);
    this.type = type;
  }
}

export class CognitoClient {
  constructor({ region, userPoolId, clientId, endpoint = null, authFlow = "USER_SRP_AUTH" }) {
    this.userPoolId = userPoolId;
    this.clientId = clientId;
    this.authFlow = authFlow;
    this.endpoint = endpoint ?? `https://cognito-idp.${region}.amazonaws.com/`;
  }

  async call(operation, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        signal: controller.signal,
        headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `${TARGET_PREFIX}${operation}` },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new CognitoError("NetworkError", controller.signal.aborted ? "The sign-in service did not answer in time." : "The sign-in service cannot be reached.");
    } finally {
      clearTimeout(timer);
    }
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) {
      const type = String(payload.__type ?? payload.code ?? `HTTP${response.status}`).split("#").pop();
      throw new CognitoError(type, payload.message ?? payload.Message ?? "");
    }
    return payload;
  }

  signUp(email, password) {
    return this.call("SignUp", {
      ClientId: this.clientId,
      Username: email,
      Password: password,
      UserAttributes: [{ Name: "email", Value: email }],
    });
  }

  confirmSignUp(email, code) {
    return this.call("ConfirmSignUp", { ClientId: this.clientId, Username: email, ConfirmationCode: code });
  }

  resendConfirmationCode(email) {
    return this.call("ResendConfirmationCode", { ClientId: this.clientId, Username: email });
  }

  /** Tokens for an email and password: SRP in AWS, USER_PASSWORD_AUTH where config.json asks for it. */
  async signIn(email, password) {
    if (this.authFlow === "USER_PASSWORD_AUTH") {
      const answer = await this.call("InitiateAuth", {
        ClientId: this.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: email, PASSWORD: password },
      });
      return authenticationResult(answer);
    }
    const srp = await startSrp();
    const challenge = await this.call("InitiateAuth", {
      ClientId: this.clientId,
      AuthFlow: "USER_SRP_AUTH",
      AuthParameters: { USERNAME: email, SRP_A: srp.largeA },
    });
    if (challenge.ChallengeName !== "PASSWORD_VERIFIER") throw unsupportedChallenge(challenge);
    const parameters = challenge.ChallengeParameters;
    const claim = await passwordClaim(srp, {
      userPoolId: this.userPoolId,
      userIdForSrp: parameters.USER_ID_FOR_SRP,
      password,
      srpB: parameters.SRP_B,
      salt: parameters.SALT,
      secretBlock: parameters.SECRET_BLOCK,
    });
    const answer = await this.call("RespondToAuthChallenge", {
      ClientId: this.clientId,
      ChallengeName: "PASSWORD_VERIFIER",
      Session: challenge.Session,
      ChallengeResponses: {
        USERNAME: parameters.USER_ID_FOR_SRP,
        PASSWORD_CLAIM_SECRET_BLOCK: parameters.SECRET_BLOCK,
        PASSWORD_CLAIM_SIGNATURE: claim.signature,
        TIMESTAMP: claim.timestamp,
      },
    });
    return authenticationResult(answer);
  }

  /** New ID and access tokens from a refresh token (the refresh token itself stays). */
  async refresh(refreshToken) {
    const answer = await this.call("InitiateAuth", {
      ClientId: this.clientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    });
    return authenticationResult(answer);
  }

  updateAttributes(accessToken, attributes) {
    return this.call("UpdateUserAttributes", {
      AccessToken: accessToken,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    });
  }

  /** Revokes every refresh token of the account; ID tokens already issued expire on their own. */
  globalSignOut(accessToken) {
    return this.call("GlobalSignOut", { AccessToken: accessToken });
  }
}

function authenticationResult(answer) {
  if (!answer.AuthenticationResult) throw unsupportedChallenge(answer);
  const result = answer.AuthenticationResult;
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken ?? null,
    expiresIn: result.ExpiresIn,
  };
}

function unsupportedChallenge(answer) {
  return new CognitoError("UnsupportedChallenge", `This shop cannot answer the ${answer.ChallengeName ?? "unknown"} sign-in step.`);
}

/** The payload of a JWT, without checking it (the API checks tokens; the page only reads its own). */
export function tokenClaims(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const padded = payload + "=".repeat((4 - (payload.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** What the shopper reads for a Cognito error. */
export function describeError(error) {
  const messages = {
    NotAuthorizedException: "The email or password is not right.",
    UserNotFoundException: "The email or password is not right.",
    UsernameExistsException: "An account with this email already exists. Sign in instead.",
    InvalidPasswordException: "The password does not meet the rules below.",
    InvalidParameterException: "Please check the email and password.",
    CodeMismatchException: "That code is not right. Check the email we sent you.",
    ExpiredCodeException: "That code has expired. Send a new one.",
    UserNotConfirmedException: "Confirm your email first: enter the code we sent you.",
    LimitExceededException: "Too many attempts. Wait a few minutes and try again.",
    TooManyRequestsException: "Too many attempts. Wait a few minutes and try again.",
  };
  return messages[error?.type] ?? error?.message ?? "Something went wrong. Try again.";
}
