// check.mjs runs the real psn-api 2.18.1 client against a psnkit simulator.
//
// Usage: PSN_NPSSO=<npsso> node compat/check.mjs <simulator-url>
//
// The NPSSO is read from the environment, never from argv (secrets stay out
// of process listings). Every fetch psn-api makes to one of Sony's hosts is
// sent to the simulator with the same method, path, query, headers and body;
// a request to any other host fails the run instead of leaving the machine.
//
// Each check calls one psn-api function and asserts that what comes back is
// real data, not undefined fields or PSN's error JSON passed off as data.
// The last line is "compat: N passed, M failed"; the exit code is 0 only
// when nothing failed.

import * as psn from "psn-api";

const simURL = process.argv[2];
const npsso = process.env.PSN_NPSSO ?? "";
if (!simURL || !/^https?:\/\//.test(simURL) || npsso === "") {
  console.error("usage: PSN_NPSSO=<npsso> node compat/check.mjs <simulator-url>");
  process.exit(2);
}
const sim = new URL(simURL);

// Sony's hosts psn-api 2.18.1 talks to (read from its dist/ code), plus the
// hosts the protocol doc names, so that a newer psn-api cannot slip past.
const SONY_HOSTS = new Set([
  "ca.account.sony.com",
  "m.np.playstation.com",
  "web.np.playstation.com",
  "dms.api.playstation.com",
  "us-prof.np.community.playstation.net"
]);

/** Every request psn-api made, as {method, host, path, status}. */
const traffic = [];

const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
  const req = input instanceof Request ? input : null;
  const original = new URL(req ? req.url : String(input));
  if (!SONY_HOSTS.has(original.hostname)) {
    throw new Error(`compat: psn-api asked for an unexpected host ${original.hostname}; refusing to leave the machine`);
  }
  const target = new URL(original.pathname + original.search, sim);
  const res = req ? await realFetch(new Request(target, req), init) : await realFetch(target, init);
  traffic.push({
    method: init.method ?? req?.method ?? "GET",
    host: original.hostname,
    path: original.pathname,
    status: res.status
  });
  return res;
};

// ---- assertion helpers -------------------------------------------------

class CheckError extends Error {}

function fail(msg) {
  throw new CheckError(msg);
}

function isNonEmptyString(v) {
  return typeof v === "string" && v.length > 0;
}

function isNumber(v) {
  return typeof v === "number" && Number.isFinite(v);
}

function expectString(obj, key, where) {
  if (!isNonEmptyString(obj?.[key])) fail(`${where}.${key} is ${describe(obj?.[key])}, want a non-empty string`);
  return obj[key];
}

function expectNumber(obj, key, where) {
  if (!isNumber(obj?.[key])) fail(`${where}.${key} is ${describe(obj?.[key])}, want a number`);
  return obj[key];
}

/** describe says what a value is without printing secrets or huge blobs. */
function describe(v) {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (typeof v === "string") return v.length > 40 ? `a ${v.length}-char string` : JSON.stringify(v);
  if (typeof v === "object") return `an object with keys [${Object.keys(v).slice(0, 8).join(",")}]`;
  return `${typeof v} ${String(v)}`;
}

/** notPSNError fails when psn-api handed back PSN's error envelope as data. */
function notPSNError(res, where) {
  if (res && typeof res === "object" && res.error) {
    const e = res.error;
    fail(`${where} returned PSN's error JSON as data: ${typeof e === "object" ? `code ${e.code} ${e.message}` : String(e)}`);
  }
}

/** redact removes anything secret-looking from an error message. */
function redact(msg) {
  return String(msg)
    .replace(/\s+/g, " ")
    .trim()
    .replaceAll(npsso, "<npsso>")
    .replace(/v3\.[A-Za-z0-9]+/g, "v3.<code>")
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, "<jwt>");
}

// ---- the simulator's admin API ------------------------------------------

async function simStats() {
  const res = await realFetch(new URL("/_sim/stats", sim));
  if (!res.ok) fail(`GET /_sim/stats answered ${res.status}`);
  return res.json();
}

async function expectGrants(want, where) {
  const st = await simStats();
  for (const [grant, n] of Object.entries(want)) {
    const got = st?.grants?.[grant];
    if (got !== n) fail(`${where}: simulator counted ${describe(got)} ${grant} grants, want ${n}`);
  }
}

// ---- the run -------------------------------------------------------------

const results = [];

/**
 * check runs one named step. A step throws CheckError (or anything) to fail.
 */
async function check(name, fn) {
  const before = traffic.length;
  try {
    const note = await fn();
    results.push({ name, ok: true });
    console.log(`PASS ${name}${note ? ` — ${note}` : ""}`);
  } catch (err) {
    results.push({ name, ok: false });
    const reqs = traffic.slice(before).map((t) => `${t.method} ${t.host}${t.path} → ${t.status}`);
    console.log(`FAIL ${name}: ${redact(err?.message ?? err)}`);
    for (const r of reqs) console.log(`     request: ${r}`);
  }
}

const state = {};

await check("exchangeNpssoForAccessCode", async () => {
  const code = await psn.exchangeNpssoForAccessCode(npsso);
  if (!isNonEmptyString(code) || !code.startsWith("v3.")) fail(`code is ${describe(code)}, want a string starting "v3."`);
  state.code = code;
  return "code v3.…";
});

await check("exchangeAccessCodeForAuthTokens", async () => {
  if (!state.code) fail("no access code from the previous step");
  const t = await psn.exchangeAccessCodeForAuthTokens(state.code);
  checkTokens(t, "exchangeAccessCodeForAuthTokens");
  await expectGrants({ authorization_code: 1, refresh_token: 0 }, "after the code exchange");
  state.tokens = t;
  return `expiresIn ${t.expiresIn}, refreshTokenExpiresIn ${t.refreshTokenExpiresIn}`;
});

await check("exchangeRefreshTokenForAuthTokens", async () => {
  if (!state.tokens) fail("no refresh token from the previous step");
  const t = await psn.exchangeRefreshTokenForAuthTokens(state.tokens.refreshToken);
  checkTokens(t, "exchangeRefreshTokenForAuthTokens");
  if (t.refreshTokenExpiresIn > state.tokens.refreshTokenExpiresIn) {
    fail(`refreshTokenExpiresIn grew from ${state.tokens.refreshTokenExpiresIn} to ${t.refreshTokenExpiresIn}; a refresh must not extend it`);
  }
  await expectGrants({ authorization_code: 1, refresh_token: 1 }, "after the refresh");
  state.tokens = t;
  return `expiresIn ${t.expiresIn}, refreshTokenExpiresIn ${t.refreshTokenExpiresIn}`;
});

function checkTokens(t, where) {
  for (const k of ["accessToken", "refreshToken", "idToken", "tokenType", "scope"]) expectString(t, k, where);
  const exp = expectNumber(t, "expiresIn", where);
  if (exp < 3500 || exp > 3600) fail(`${where}.expiresIn is ${exp}, want about 3599`);
  const rexp = expectNumber(t, "refreshTokenExpiresIn", where);
  if (rexp <= 0) fail(`${where}.refreshTokenExpiresIn is ${rexp}, want > 0`);
}

function auth() {
  if (!state.tokens?.accessToken) fail("no access token (the auth steps failed)");
  return { accessToken: state.tokens.accessToken };
}

await check("getUserTrophyProfileSummary", async () => {
  const s = await psn.getUserTrophyProfileSummary(auth(), "me");
  notPSNError(s, "getUserTrophyProfileSummary");
  const w = "getUserTrophyProfileSummary";
  expectString(s, "accountId", w);
  const level = expectNumber(s, "trophyLevel", w);
  expectNumber(s, "progress", w);
  expectNumber(s, "tier", w);
  const e = s.earnedTrophies;
  if (!e || typeof e !== "object") fail(`${w}.earnedTrophies is ${describe(e)}, want an object`);
  for (const k of ["bronze", "silver", "gold", "platinum"]) expectNumber(e, k, `${w}.earnedTrophies`);
  state.summary = s;
  return `level ${level}, ${e.platinum}P ${e.gold}G ${e.silver}S ${e.bronze}B`;
});

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`compat: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
