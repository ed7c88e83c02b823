// Signing in against the environment's Cognito user pool: pure logic (no DOM, no network), so `node --test`
// covers every branch. The page calls Cognito's JSON API itself (InitiateAuth with USER_PASSWORD_AUTH): the
// pool's public app client (no secret) accepts it from a browser without AWS credentials, so no SDK is
// bundled for one request.
import { ConfigError } from "./health.js";

/** Cognito refused the sign-in or answered with something the page cannot use; the message says which. */
export class SignInError extends Error {}

const INITIATE_AUTH = "AWSCognitoIdentityProviderService.InitiateAuth";

/**
 * Where the page signs in, from config.json: `cognitoEndpoint` (the region's Cognito endpoint, or an
 * emulator's) and `userPoolClientId` (the pool's public app client). The deploy writes both per environment.
 */
export function signInSettings(config) {
  const endpoint = config?.cognitoEndpoint;
  const clientId = config?.userPoolClientId;
  if (typeof endpoint !== "string" || endpoint.trim() === "") {
    throw new ConfigError("config.json: cognitoEndpoint is missing or not a string");
  }
  let url;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError(`config.json: cognitoEndpoint ${JSON.stringify(endpoint)} is not an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`config.json: cognitoEndpoint must be http(s), got ${url.protocol}`);
  }
  if (typeof clientId !== "string" || clientId.trim() === "") {
    throw new ConfigError("config.json: userPoolClientId is missing or not a string");
  }
  return { endpoint: url.href, clientId };
}

/** The `fetch` arguments of InitiateAuth (USER_PASSWORD_AUTH) for `username` and `password`. */
export function signInRequest(settings, username, password) {
  const body = {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: settings.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  };
  const headers = { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": INITIATE_AUTH };
  return [settings.endpoint, { method: "POST", headers, body: JSON.stringify(body) }];
}

/**
 * The ID token in InitiateAuth's answer: the API's Cognito authorizer reads it, as is, from the
 * Authorization header. A refusal or a challenge (a new password, MFA) is a SignInError naming it.
 */
export function idTokenFrom(status, body) {
  const token = body?.AuthenticationResult?.IdToken;
  if (status === 200 && typeof token === "string" && token !== "") {
    return token;
  }
  if (status === 200 && typeof body?.ChallengeName === "string") {
    throw new SignInError(`Cognito asks for ${body.ChallengeName}, which this page cannot answer`);
  }
  const type = typeof body?.__type === "string" ? body.__type.split("#").pop() : `HTTP ${status}`;
  const reason = typeof body?.message === "string" ? body.message : "no reason given";
  throw new SignInError(`Sign-in refused (${type}): ${reason}`);
}
