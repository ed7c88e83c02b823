import assert from "node:assert/strict";
import { test } from "node:test";
import { SignInError, idTokenFrom, signInRequest, signInSettings } from "../src/auth.js";
import { ConfigError } from "../src/health.js";

const SETTINGS = { endpoint: "https://cognito-idp.us-east-1.amazonaws.com/", clientId: "client-1" };

test("signInSettings reads the endpoint and the public app client from config.json", () => {
  const config = { cognitoEndpoint: "http://localhost:5000", userPoolClientId: "client-1" };
  assert.deepEqual(signInSettings(config), { endpoint: "http://localhost:5000/", clientId: "client-1" });
});

test("signInSettings refuses each bad config with a message naming the field", () => {
  const cases = [
    [undefined, /cognitoEndpoint is missing/],
    [{ userPoolClientId: "c" }, /cognitoEndpoint is missing/],
    [{ cognitoEndpoint: "cognito-idp", userPoolClientId: "c" }, /not an absolute URL/],
    [{ cognitoEndpoint: "ftp://x", userPoolClientId: "c" }, /must be http\(s\), got ftp:/],
    [{ cognitoEndpoint: "https://x" }, /userPoolClientId is missing/],
    [{ cognitoEndpoint: "https://x", userPoolClientId: " " }, /userPoolClientId is missing/],
  ];
  for (const [config, message] of cases) {
    assert.throws(() => signInSettings(config), (error) => error instanceof ConfigError && message.test(error.message));
  }
});

test("signInRequest is InitiateAuth with USER_PASSWORD_AUTH for the app client", () => {
  const [url, init] = signInRequest(SETTINGS, "ada@example.com", "pw-1");
  assert.equal(url, SETTINGS.endpoint);
  assert.equal(init.method, "POST");
  assert.deepEqual(init.headers, {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
  });
  assert.deepEqual(JSON.parse(init.body), {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: "client-1",
    AuthParameters: { USERNAME: "ada@example.com", PASSWORD: "pw-1" }, // pragma: allowlist secret (a test value)
  });
});

test("idTokenFrom hands back the ID token, not the access token", () => {
  const body = { AuthenticationResult: { IdToken: "id.token", AccessToken: "access.token" } };
  assert.equal(idTokenFrom(200, body), "id.token");
});

test("idTokenFrom names Cognito's refusal, a challenge, or an unreadable answer", () => {
  const cases = [
    [
      400,
      { __type: "NotAuthorizedException", message: "Incorrect username or password." },
      /^Sign-in refused \(NotAuthorizedException\): Incorrect username or password\.$/,
    ],
    [
      400,
      { __type: "com.amazonaws#UserNotFoundException", message: "User does not exist." },
      /\(UserNotFoundException\)/,
    ],
    [200, { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s" }, /asks for NEW_PASSWORD_REQUIRED/],
    [200, { AuthenticationResult: {} }, /Sign-in refused \(HTTP 200\): no reason given/],
    [502, null, /Sign-in refused \(HTTP 502\)/],
  ];
  for (const [status, body, message] of cases) {
    assert.throws(
      () => idTokenFrom(status, body),
      (error) => error instanceof SignInError && message.test(error.message),
    );
  }
});
