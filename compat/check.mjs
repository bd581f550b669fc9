// check.mjs runs the real psn-api 2.18.1 client against a psnkit simulator,
// and compares what it gets with what psnkit's CLI prints for the same data.
//
// Usage: PSN_NPSSO=<npsso> [PSN_BIN=<path to psn>] node compat/check.mjs <simulator-url>
//
// The NPSSO is read from the environment, never from argv (secrets stay out
// of process listings). Every fetch psn-api makes to one of Sony's hosts is
// sent to the simulator with the same method, path, query, headers and body;
// a request to any other host fails the run instead of leaving the machine.
//
// Part 1 (issue 2): the auth exchanges and the trophy summary, plus the
// simulator's grant counters. Part 2 (issue 4): every other psn-api function;
// where PSN_BIN is set, `psn <cmd> -o json` for the same data must hold every
// field of PSN's answer with the same value.
//
// Each check asserts that what comes back is real data, not undefined fields
// or PSN's error JSON passed off as data. A function whose route the
// simulator does not serve yet is reported as MISS and counted as failed
// (COMPAT_ALLOW_MISSING=1 keeps the exit code 0 when those are the only
// failures).
// The last line is "compat: N passed, M failed"; the exit code is 0 only when
// nothing failed.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
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
  // psntest answers a route it does not serve with 404 "psntest has no route".
  const missing = res.status === 404 && (await res.clone().text()).includes("psntest has no route");
  traffic.push({
    method: init.method ?? req?.method ?? "GET",
    host: original.hostname,
    path: original.pathname,
    status: res.status,
    missing
  });
  return res;
};

// ---- assertion helpers -------------------------------------------------

class CheckError extends Error {}

/** BlockedError: a check cannot run because a route it needs first is missing. */
class BlockedError extends Error {}

function fail(msg) {
  throw new CheckError(msg);
}

function blocked(msg) {
  throw new BlockedError(msg);
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
  let note, err;
  try {
    note = await fn();
  } catch (e) {
    err = e;
  }
  const mine = traffic.slice(before);
  const missing = mine.filter((t) => t.missing);
  if (missing.length > 0) {
    // Not served yet: visible as a failure, with the route to add.
    results.push({ name, ok: false, missing: true });
    const routes = [...new Set(missing.map((t) => `${t.method} ${t.path}`))];
    console.log(`MISS ${name}: the simulator has no route ${routes.join(", ")} (psn-api asked ${missing[0].host})`);
    return;
  }
  if (err === undefined) {
    results.push({ name, ok: true });
    console.log(`PASS ${name}${note ? ` — ${note}` : ""}`);
    return;
  }
  if (err instanceof BlockedError) {
    results.push({ name, ok: false, missing: true });
    console.log(`MISS ${name}: ${redact(err.message)}`);
    return;
  }
  results.push({ name, ok: false });
  console.log(`FAIL ${name}: ${redact(err?.message ?? err)}`);
  for (const t of mine) console.log(`     request: ${t.method} ${t.host}${t.path} → ${t.status}`);
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


// ---- part 2: every other psn-api function ---------------------------------

/** The simulator's users (for account ids and online ids of others). */
async function simUsers() {
  const res = await realFetch(new URL("/_sim/users", sim));
  if (!res.ok) return [];
  const j = await res.json();
  return (j.users ?? []).map((u) => ({ onlineId: u.onlineId, accountId: u.accountId }));
}

const users = await simUsers();
const meUser = users.find((u) => u.accountId === state.summary?.accountId) ?? users[0];
const other = users.find((u) => u !== meUser);

function expectArray(obj, key, where) {
  if (!Array.isArray(obj?.[key])) fail(`${where}.${key} is ${describe(obj?.[key])}, want an array`);
  return obj[key];
}

function expectCounts(obj, key, where) {
  const c = obj?.[key];
  if (!c || typeof c !== "object") fail(`${where}.${key} is ${describe(c)}, want trophy counts`);
  for (const k of ["bronze", "silver", "gold", "platinum"]) expectNumber(c, k, `${where}.${key}`);
  return c;
}

/** page walks a psn-api list function over every page (offset/nextOffset). */
async function allPages(fetchPage, listKey, where, maxPages = 100) {
  const items = [];
  let offset = 0;
  let first;
  for (let i = 0; i < maxPages; i++) {
    const page = await fetchPage(offset);
    notPSNError(page, where);
    first ??= page;
    items.push(...expectArray(page, listKey, where));
    if (page.nextOffset === undefined || page.nextOffset === null) return { first, items };
    if (!isNumber(page.nextOffset) || page.nextOffset <= offset) fail(`${where}: nextOffset ${page.nextOffset} does not advance past ${offset}`);
    offset = page.nextOffset;
  }
  fail(`${where}: more than ${maxPages} pages`);
}

await check("getUserTitles", async () => {
  const w = "getUserTitles";
  const { first, items } = await allPages((offset) => psn.getUserTitles(auth(), "me", { limit: 100, offset }), "trophyTitles", w);
  expectNumber(first, "totalItemCount", w);
  if (items.length !== first.totalItemCount) fail(`${w}: walked ${items.length} titles over all pages, totalItemCount says ${first.totalItemCount}`);
  if (items.length === 0) fail(`${w}: no titles at all`);
  for (const [i, t] of items.entries()) {
    const tw = `${w}.trophyTitles[${i}]`;
    for (const k of ["npServiceName", "npCommunicationId", "trophySetVersion", "trophyTitleName", "trophyTitlePlatform", "lastUpdatedDateTime"]) expectString(t, k, tw);
    expectNumber(t, "progress", tw);
    expectCounts(t, "definedTrophies", tw);
    expectCounts(t, "earnedTrophies", tw);
  }
  state.titles = items;
  state.titlesPage = first;
  const platforms = [...new Set(items.map((t) => t.trophyTitlePlatform))].sort();
  return `${items.length} titles in ${Math.ceil(items.length / 100)} pages, platforms ${platforms.join(" ")}`;
});

/** pickTitle picks a title with trophy groups (DLC) when there is one. */
function pickTitle() {
  const ts = state.titles ?? [];
  if (ts.length === 0) fail("no trophy title to ask about (getUserTitles failed)");
  return ts.find((t) => t.hasTrophyGroups) ?? ts[0];
}

function checkTitleTrophy(t, where) {
  expectNumber(t, "trophyId", where);
  expectString(t, "trophyType", where);
  if (typeof t.trophyHidden !== "boolean") fail(`${where}.trophyHidden is ${describe(t.trophyHidden)}, want a boolean`);
}

await check("getTitleTrophies", async () => {
  const t = pickTitle();
  const w = "getTitleTrophies";
  const res = await psn.getTitleTrophies(auth(), t.npCommunicationId, "all", { npServiceName: t.npServiceName });
  notPSNError(res, w);
  expectString(res, "trophySetVersion", w);
  const trophies = expectArray(res, "trophies", w);
  const total = expectNumber(res, "totalItemCount", w);
  const d = t.definedTrophies;
  const defined = d.bronze + d.silver + d.gold + d.platinum;
  if (total !== defined) fail(`${w}: totalItemCount ${total}, but the title list says ${defined} trophies are defined`);
  for (const [i, tr] of trophies.entries()) {
    checkTitleTrophy(tr, `${w}.trophies[${i}]`);
    expectString(tr, "trophyName", `${w}.trophies[${i}]`);
    expectString(tr, "trophyGroupId", `${w}.trophies[${i}]`);
  }
  state.titleTrophies = res;
  return `${t.npCommunicationId} (${t.trophyTitlePlatform}, ${t.npServiceName}): ${trophies.length} of ${total} trophies`;
});

await check("getTitleTrophyGroups", async () => {
  const t = pickTitle();
  const w = "getTitleTrophyGroups";
  const res = await psn.getTitleTrophyGroups(auth(), t.npCommunicationId, { npServiceName: t.npServiceName });
  notPSNError(res, w);
  for (const k of ["trophySetVersion", "trophyTitleName", "trophyTitlePlatform"]) expectString(res, k, w);
  expectCounts(res, "definedTrophies", w);
  const groups = expectArray(res, "trophyGroups", w);
  if (!groups.some((g) => g.trophyGroupId === "default")) fail(`${w}: no "default" trophy group`);
  for (const [i, g] of groups.entries()) {
    expectString(g, "trophyGroupId", `${w}.trophyGroups[${i}]`);
    expectString(g, "trophyGroupName", `${w}.trophyGroups[${i}]`);
    expectCounts(g, "definedTrophies", `${w}.trophyGroups[${i}]`);
  }
  if (t.trophyGroupCount !== undefined && groups.length !== t.trophyGroupCount) {
    fail(`${w}: ${groups.length} groups, the title list says trophyGroupCount ${t.trophyGroupCount}`);
  }
  state.titleGroups = res;
  return `${groups.length} groups (${groups.map((g) => g.trophyGroupId).join(",")})`;
});

await check("getUserTrophiesEarnedForTitle", async () => {
  const t = pickTitle();
  const w = "getUserTrophiesEarnedForTitle";
  const res = await psn.getUserTrophiesEarnedForTitle(auth(), "me", t.npCommunicationId, "all", { npServiceName: t.npServiceName });
  notPSNError(res, w);
  expectString(res, "trophySetVersion", w);
  const trophies = expectArray(res, "trophies", w);
  let earned = 0;
  for (const [i, tr] of trophies.entries()) {
    const tw = `${w}.trophies[${i}]`;
    checkTitleTrophy(tr, tw);
    if (typeof tr.earned !== "boolean") fail(`${tw}.earned is ${describe(tr.earned)}, want a boolean`);
    if (tr.earned) {
      earned++;
      expectString(tr, "earnedDateTime", tw);
    }
    expectString(tr, "trophyEarnedRate", tw);
    expectNumber(tr, "trophyRare", tw);
  }
  const e = t.earnedTrophies;
  const want = e.bronze + e.silver + e.gold + e.platinum;
  if (earned !== want) fail(`${w}: ${earned} trophies earned, the title list says ${want}`);
  state.earned = res;
  return `${earned} of ${trophies.length} earned`;
});

await check("getUserTrophyGroupEarningsForTitle", async () => {
  const t = pickTitle();
  const w = "getUserTrophyGroupEarningsForTitle";
  const res = await psn.getUserTrophyGroupEarningsForTitle(auth(), "me", t.npCommunicationId, { npServiceName: t.npServiceName });
  notPSNError(res, w);
  expectString(res, "trophySetVersion", w);
  expectNumber(res, "progress", w);
  const e = expectCounts(res, "earnedTrophies", w);
  const groups = expectArray(res, "trophyGroups", w);
  for (const [i, g] of groups.entries()) {
    expectString(g, "trophyGroupId", `${w}.trophyGroups[${i}]`);
    expectNumber(g, "progress", `${w}.trophyGroups[${i}]`);
    expectCounts(g, "earnedTrophies", `${w}.trophyGroups[${i}]`);
  }
  if (JSON.stringify(e) !== JSON.stringify(t.earnedTrophies)) {
    fail(`${w}: earnedTrophies ${JSON.stringify(e)} differ from the title list's ${JSON.stringify(t.earnedTrophies)}`);
  }
  state.groupEarnings = res;
  return `${groups.length} groups, progress ${res.progress}%`;
});

await check("getProfileFromAccountId", async () => {
  const w = "getProfileFromAccountId";
  if (!other) fail("the simulator has only one user");
  const res = await psn.getProfileFromAccountId(auth(), other.accountId);
  expectString(res, "onlineId", w);
  if (res.onlineId !== other.onlineId) fail(`${w}: onlineId ${describe(res.onlineId)}, want ${other.onlineId}`);
  expectArray(res, "avatars", w);
  expectArray(res, "languages", w);
  for (const k of ["isPlus", "isOfficiallyVerified", "isMe"]) {
    if (typeof res[k] !== "boolean") fail(`${w}.${k} is ${describe(res[k])}, want a boolean`);
  }
  if (res.isMe) fail(`${w}: isMe is true for another user`);
  state.profile = res;
  return `${res.onlineId}, ${res.avatars.length} avatars`;
});

await check("getProfileFromUserName", async () => {
  const w = "getProfileFromUserName";
  if (!other) fail("the simulator has only one user");
  const res = await psn.getProfileFromUserName(auth(), other.onlineId);
  const p = res?.profile;
  if (!p || typeof p !== "object") fail(`${w}.profile is ${describe(p)}, want an object`);
  expectString(p, "onlineId", `${w}.profile`);
  if (p.accountId !== other.accountId) fail(`${w}.profile.accountId is ${describe(p.accountId)}, want ${other.accountId}`);
  expectString(p, "npId", `${w}.profile`);
  const ts = p.trophySummary;
  if (!ts || typeof ts !== "object") fail(`${w}.profile.trophySummary is ${describe(ts)}, want an object`);
  expectNumber(ts, "level", `${w}.profile.trophySummary`);
  expectCounts(ts, "earnedTrophies", `${w}.profile.trophySummary`);
  state.profile2 = res;
  return `${p.onlineId} level ${ts.level}`;
});

await check("getUserRegion", async () => {
  const w = "getUserRegion";
  if (!other) fail("the simulator has only one user");
  const res = await psn.getUserRegion(auth(), other.onlineId);
  if (res === null) fail(`${w} returned null: no npId, or an npId that is not base64 of name@xx.cc`);
  expectString(res, "code", w);
  if (!/^[A-Z]{2}$/.test(res.code)) fail(`${w}.code is ${describe(res.code)}, want two capital letters`);
  expectString(res, "name", w);
  state.region = res;
  return `${res.code} (${res.name})`;
});

await check("getProfileShareableLink", async () => {
  const w = "getProfileShareableLink";
  const acc = state.summary?.accountId ?? meUser?.accountId;
  if (!acc) fail("no account id");
  const res = await psn.getProfileShareableLink(auth(), acc);
  for (const k of ["shareUrl", "shareImageUrl", "shareImageUrlDestination"]) {
    const u = expectString(res, k, w);
    if (!/^https:\/\//.test(u)) fail(`${w}.${k} is not an https URL`);
  }
  return res.shareUrl;
});

await check("getUserFriendsAccountIds", async () => {
  const w = "getUserFriendsAccountIds";
  const { first, items } = await allPages((offset) => psn.getUserFriendsAccountIds(auth(), "me", { limit: 100, offset }), "friends", w);
  expectNumber(first, "totalItemCount", w);
  if (items.length !== first.totalItemCount) fail(`${w}: ${items.length} friends over all pages, totalItemCount ${first.totalItemCount}`);
  for (const [i, id] of items.entries()) if (!/^\d+$/.test(id)) fail(`${w}.friends[${i}] is ${describe(id)}, want a numeric account id`);
  state.friends = items;
  return `${items.length} friends`;
});

await check("getUserBlockedAccountIds", async () => {
  const w = "getUserBlockedAccountIds";
  const res = await psn.getUserBlockedAccountIds(auth());
  const ids = expectArray(res, "blockList", w);
  for (const [i, id] of ids.entries()) if (!/^\d+$/.test(id)) fail(`${w}.blockList[${i}] is ${describe(id)}, want a numeric account id`);
  return `${ids.length} blocked`;
});

await check("getUserFriendsRequests", async () => {
  const w = "getUserFriendsRequests";
  const res = await psn.getUserFriendsRequests(auth());
  const reqs = expectArray(res, "receivedRequests", w);
  expectNumber(res, "totalItemCount", w);
  // psn-api types these as strings; PSN (the recordings) sends objects.
  for (const [i, r] of reqs.entries()) {
    const id = typeof r === "string" ? r : r?.accountId;
    if (!/^\d+$/.test(id ?? "")) fail(`${w}.receivedRequests[${i}] has no numeric accountId`);
  }
  return `${reqs.length} requests`;
});

await check("getBasicPresence", async () => {
  const w = "getBasicPresence";
  const acc = state.summary?.accountId ?? meUser?.accountId;
  const res = await psn.getBasicPresence(auth(), acc);
  const bp = res?.basicPresence;
  if (!bp || typeof bp !== "object") fail(`${w}.basicPresence is ${describe(bp)}, want an object`);
  expectString(bp, "availability", `${w}.basicPresence`);
  const pi = bp.primaryPlatformInfo;
  expectString(pi, "onlineStatus", `${w}.basicPresence.primaryPlatformInfo`);
  state.presence = res;
  return `${bp.availability}, ${pi.onlineStatus}${pi.platform ? ` on ${pi.platform}` : ""}`;
});

await check("getUserPlayedGames", async () => {
  const w = "getUserPlayedGames";
  const { first, items } = await allPages((offset) => psn.getUserPlayedGames(auth(), "me", { limit: 200, offset }), "titles", w);
  expectNumber(first, "totalItemCount", w);
  if (items.length === 0) fail(`${w}: no played games`);
  for (const [i, g] of items.entries()) {
    const gw = `${w}.titles[${i}]`;
    for (const k of ["titleId", "name", "category", "playDuration", "firstPlayedDateTime", "lastPlayedDateTime"]) expectString(g, k, gw);
    if (!/^P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(g.playDuration)) fail(`${gw}.playDuration ${describe(g.playDuration)} is not ISO 8601`);
    expectNumber(g, "playCount", gw);
  }
  state.played = items;
  return `${items.length} games`;
});

await check("getAccountDevices", async () => {
  const w = "getAccountDevices";
  const res = await psn.getAccountDevices(auth());
  const acc = expectString(res, "accountId", w);
  if (state.summary && acc !== state.summary.accountId) fail(`${w}.accountId ${acc} is not the token owner's ${state.summary.accountId}`);
  if (res.accountDevices === undefined) {
    // PSN's only recorded answer to this exact request (test_client__account_devices)
    // is {"accountId":…} too; psn-api's type promises an accountDevices list.
    state.devices = res;
    return "accountId only, no accountDevices list (as in PSN's recorded answer to this request)";
  }
  const devs = expectArray(res, "accountDevices", w);
  for (const [i, d] of devs.entries()) {
    for (const k of ["deviceId", "deviceType", "activationType", "activationDate"]) expectString(d, k, `${w}.accountDevices[${i}]`);
  }
  state.devices = res;
  return `${devs.length} devices (${devs.map((d) => d.deviceType).join(",")})`;
});

await check("getRecentlyPlayedGames", async () => {
  const w = "getRecentlyPlayedGames";
  const res = await psn.getRecentlyPlayedGames(auth(), { limit: 10 });
  const games = expectArray(res?.data?.gameLibraryTitlesRetrieve, "games", `${w}.data.gameLibraryTitlesRetrieve`);
  if (games.length === 0 || games.length > 10) fail(`${w}: ${games.length} games for limit 10`);
  for (const [i, g] of games.entries()) {
    for (const k of ["name", "titleId", "lastPlayedDateTime", "platform"]) expectString(g, k, `${w}.games[${i}]`);
  }
  state.recent = games;
  return `${games.length} games, latest ${games[0].name}`;
});

await check("getPurchasedGames", async () => {
  const w = "getPurchasedGames";
  const res = await psn.getPurchasedGames(auth(), { size: 5, start: 0 });
  const games = expectArray(res?.data?.purchasedTitlesRetrieve, "games", `${w}.data.purchasedTitlesRetrieve`);
  if (games.length === 0 || games.length > 5) fail(`${w}: ${games.length} games for size 5`);
  for (const [i, g] of games.entries()) {
    for (const k of ["name", "titleId", "platform", "entitlementId"]) expectString(g, k, `${w}.games[${i}]`);
  }
  return `${games.length} games`;
});

await check("getUserTrophiesForSpecificTitle", async () => {
  const w = "getUserTrophiesForSpecificTitle";
  const ids = [...new Set([...(state.played ?? []), ...(state.recent ?? [])].map((g) => g.titleId))].slice(0, 3);
  if (ids.length === 0) {
    const routeless = results.some((r) => r.missing && ["getUserPlayedGames", "getRecentlyPlayedGames"].includes(r.name));
    (routeless ? blocked : fail)("no npTitleId to ask about (getUserPlayedGames and getRecentlyPlayedGames gave none)");
  }
  const res = await psn.getUserTrophiesForSpecificTitle(auth(), "me", { npTitleIds: ids.join(","), includeNotEarnedTrophyIds: true });
  notPSNError(res, w);
  const titles = expectArray(res, "titles", w);
  if (titles.length !== ids.length) fail(`${w}: ${titles.length} titles for ${ids.length} npTitleIds`);
  let sets = 0;
  for (const [i, t] of titles.entries()) {
    expectString(t, "npTitleId", `${w}.titles[${i}]`);
    for (const [j, tt] of expectArray(t, "trophyTitles", `${w}.titles[${i}]`).entries()) {
      const tw = `${w}.titles[${i}].trophyTitles[${j}]`;
      expectString(tt, "npCommunicationId", tw);
      expectCounts(tt, "earnedTrophies", tw);
      sets++;
    }
  }
  if (sets === 0) fail(`${w}: none of ${ids.join(",")} has a trophy set`);
  return `${titles.length} titles, ${sets} trophy sets`;
});

await check("makeUniversalSearch", async () => {
  const w = "makeUniversalSearch";
  if (!other) fail("the simulator has only one user");
  const res = await psn.makeUniversalSearch(auth(), other.onlineId, "SocialAllAccounts");
  notPSNError(res, w);
  const doms = expectArray(res, "domainResponses", w);
  const hits = doms.flatMap((d) => d.results ?? []);
  const hit = hits.find((r) => r?.socialMetadata?.onlineId === other.onlineId);
  if (!hit) fail(`${w}: searching "${other.onlineId}" did not find that user (${hits.length} results)`);
  if (hit.socialMetadata.accountId !== other.accountId) fail(`${w}: result's accountId ${describe(hit.socialMetadata.accountId)}, want ${other.accountId}`);
  state.search = res;
  return `${hits.length} results`;
});

await check("call", async () => {
  // psn-api's generic call, on a route every phase of the simulator serves.
  const res = await psn.call({ url: "https://m.np.playstation.com/api/trophy/v1/users/me/trophySummary" }, auth());
  notPSNError(res, "call");
  if (!state.summary) fail("no summary to compare with");
  const d = diff(state.summary, res, "summary", "exact");
  if (d.length) fail(`call differs from getUserTrophyProfileSummary: ${d.join("; ")}`);
  return "GET trophySummary through call() equals getUserTrophyProfileSummary";
});

// ---- psnkit's CLI on the same data ----------------------------------------

/**
 * diff lists how `got` differs from PSN's answer `want`. Mode "exact": same
 * keys and values. Mode "contains": every key PSN sent is there with the
 * same value (got may add its own).
 */
function diff(want, got, path, mode, out = []) {
  if (out.length >= 8) return out;
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) out.push(`${path}: want an array of ${want.length}, got ${describe(got)}`);
    else if (got.length !== want.length) out.push(`${path}: ${got.length} items, want ${want.length}`);
    else want.forEach((w, i) => diff(w, got[i], `${path}[${i}]`, mode, out));
    return out;
  }
  if (want && typeof want === "object") {
    if (!got || typeof got !== "object" || Array.isArray(got)) {
      out.push(`${path}: want an object, got ${describe(got)}`);
      return out;
    }
    for (const k of Object.keys(want)) {
      if (!(k in got)) out.push(`${path}.${k}: missing (PSN has ${describe(want[k])})`);
      else diff(want[k], got[k], `${path}.${k}`, mode, out);
    }
    if (mode === "exact") for (const k of Object.keys(got)) if (!(k in want)) out.push(`${path}.${k}: extra key`);
    return out;
  }
  if (want !== got) {
    if (sameInstant(want, got)) {
      out.reformatted = (out.reformatted ?? 0) + 1;
      return out;
    }
    out.push(`${path}: ${describe(got)}, PSN has ${describe(want)}`);
  }
  return out;
}

const ISO_INSTANT = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;

/**
 * sameInstant reports whether two ISO 8601 date-times name the same instant
 * to the nanosecond although they are written differently (PSN writes
 * "2025-04-10T17:30:57.000000Z" where Go writes "2025-04-10T17:30:57Z").
 */
function sameInstant(a, b) {
  if (typeof a !== "string" || typeof b !== "string") return false;
  const ma = ISO_INSTANT.exec(a);
  const mb = ISO_INSTANT.exec(b);
  if (!ma || !mb) return false;
  const secs = (m) => Date.parse(m[1] + m[3]);
  const frac = (m) => (m[2] ?? "").replace(/0+$/, "");
  return !Number.isNaN(secs(ma)) && secs(ma) === secs(mb) && frac(ma) === frac(mb);
}

const psnBin = process.env.PSN_BIN ?? "";
const tmpDir = process.env.PSN_COMPAT_TMP ?? "";
const notCompared = [];


const cliEnv = tmpDir
  ? {
      ...process.env,
      HOME: join(tmpDir, "home"),
      XDG_CONFIG_HOME: join(tmpDir, "config"),
      PSN_ENDPOINT: sim.origin,
      PSN_STORE: `sqlite://${join(tmpDir, "psn.db")}`,
      PSN_KEY: randomBytes(32).toString("base64")
    }
  : null;

function runCLI(args) {
  const r = spawnSync(psnBin, args, { env: cliEnv, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: redact(r.stderr ?? "").slice(0, 400) };
}

function cliHas(cmd) {
  return runCLI([cmd, "--help"]).status === 0;
}

/** The list fields of PSN's paged envelopes, in order of preference. */
const LIST_KEYS = ["trophyTitles", "trophies", "trophyGroups", "friends", "titles", "blockList", "receivedRequests", "accountDevices"];

/** mainList is the list an envelope like {trophyTitles:[…],totalItemCount} holds. */
function mainList(v) {
  if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
  const k = LIST_KEYS.find((k) => Array.isArray(v[k]));
  if (k) return v[k];
  const arrays = Object.keys(v).filter((k) => Array.isArray(v[k]));
  return arrays.length === 1 ? v[arrays[0]] : undefined;
}

/**
 * compareCLI runs `psn <args> -o json` and requires that it holds PSN's
 * answer `want`. A CLI that prints a bare array is compared with the
 * envelope's list; an envelope with the envelope.
 */
async function compareCLI(name, args, want, mode = "contains") {
  await check(`cli: psn ${args.join(" ")} -o json ≡ ${name}`, async () => {
    if (want === undefined) fail(`no psn-api result for ${name} to compare with`);
    const r = runCLI([...args, "-o", "json"]);
    if (r.status !== 0) fail(`psn ${args.join(" ")} exited ${r.status}: ${r.stderr.trim()}`);
    let got;
    try {
      got = JSON.parse(r.stdout);
    } catch {
      fail(`psn ${args.join(" ")} -o json printed no JSON: ${describe(r.stdout)}`);
    }
    let w = want;
    if (Array.isArray(got) && !Array.isArray(want)) {
      w = mainList(want);
      // One record in an envelope ({"basicPresence": {…}}): the CLI prints
      // every list command as an array, here of one such record.
      const keys = Object.keys(want);
      if (w === undefined && keys.length === 1 && want[keys[0]] && typeof want[keys[0]] === "object") w = [want[keys[0]]];
      if (w === undefined) fail(`CLI printed an array; PSN's answer is an object with keys [${Object.keys(want).join(",")}]`);
    } else if (Array.isArray(want) && !Array.isArray(got)) {
      got = mainList(got) ?? got;
    }
    const d = diff(w, got, "json", mode);
    if (d.length) fail(d.join("; "));
    const re = d.reformatted ? `; ${d.reformatted} timestamps written differently, same instant` : "";
    return `equal (${mode === "exact" ? "same keys and values" : "every PSN field, same value"}${re})`;
  });
}

if (!psnBin || !cliEnv) {
  console.log("NOTE no PSN_BIN/PSN_COMPAT_TMP: the CLI comparison is skipped (compat/run sets both)");
} else {
  const login = spawnSync(psnBin, ["login"], { env: cliEnv, encoding: "utf8", timeout: 60_000, input: "" });
  if (login.status !== 0) {
    await check("cli: psn login", async () => fail(`psn login exited ${login.status}: ${redact(login.stderr).slice(0, 300)}`));
  } else {
    const titles = state.titles && { ...state.titlesPage, trophyTitles: state.titles };
    const t = state.titles?.length ? pickTitle() : undefined;
    const plan = [
      // [psn-api function, CLI command, its arguments, PSN's answer, mode]
      // psn me adds the account's onlineId (docs/cli.md) to PSN's summary.
      ["getUserTrophyProfileSummary", "me", [], state.summary],
      ["getUserTrophyProfileSummary", "summary", [], state.summary, "exact"],
      ["getUserTitles", "titles", ["--all"], titles],
      // psn trophies and psn groups join the title's definitions with the
      // account's earnings: each must hold every field of both answers.
      ["getUserTrophiesEarnedForTitle", "trophies", t ? [t.npCommunicationId, "--all"] : [], state.earned],
      ["getTitleTrophies", "trophies", t ? [t.npCommunicationId, "--all"] : [], state.titleTrophies],
      ["getUserTrophyGroupEarningsForTitle", "groups", t ? [t.npCommunicationId] : [], state.groupEarnings],
      ["getTitleTrophyGroups", "groups", t ? [t.npCommunicationId] : [], state.titleGroups],
      ["getProfileFromAccountId", "profile", other ? [other.onlineId] : [], state.profile],
      ["getUserFriendsAccountIds", "friends", ["--all"], state.friends],
      ["getBasicPresence", "presence", [], state.presence],
      ["getUserPlayedGames", "played", ["--all"], state.played],
      ["getAccountDevices", "devices", [], state.devices],
      ["makeUniversalSearch", "search", other ? [other.onlineId, "--universal"] : [], state.search],
      ["getUserRegion", "region", other ? [other.onlineId] : [], state.region]
    ];
    for (const [fn, cmd, args, want, mode] of plan) {
      if (!cliHas(cmd)) {
        notCompared.push(`${fn} (no \`psn ${cmd}\` yet)`);
        continue;
      }
      if (want === undefined) {
        notCompared.push(`${fn} (psn-api got no data to compare with)`);
        continue;
      }
      await compareCLI(fn, [cmd, ...args], want, mode);
    }
  }
}

if (notCompared.length > 0) {
  console.log(`NOTE not compared with the CLI: ${notCompared.join(", ")}`);
}
const noCLI = [
  "getUserTrophiesForSpecificTitle",
  "getProfileFromUserName",
  "getProfileShareableLink",
  "getUserBlockedAccountIds",
  "getUserFriendsRequests",
  "getRecentlyPlayedGames",
  "getPurchasedGames",
  "call"
];
console.log(`NOTE no psn command for: ${noCLI.join(", ")}`);

const missing = results.filter((r) => r.missing).length;
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
if (missing > 0) console.log(`NOTE ${missing} of the failures are routes the simulator does not serve yet (MISS lines above)`);
console.log(`compat: ${passed} passed, ${failed} failed`);
// COMPAT_ALLOW_MISSING=1 (for CI while the simulator grows): exit 0 when the
// only failures are routes not served yet. They still count as failed above.
const allowMissing = process.env.COMPAT_ALLOW_MISSING === "1" && failed === missing;
process.exit(failed === 0 || allowMissing ? 0 : 1);
