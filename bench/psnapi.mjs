// psnapi.mjs is bench/compare's psn-api client: N getUserTitles calls
// (limit 100) by psn-api 2.18.1 against the simulator at PSN_ENDPOINT, with
// the access token from PSN_ACCESS_TOKEN (never argv). fetch is pointed at
// the simulator exactly as compat/check.mjs does it.
//
// Usage: node bench/psnapi.mjs [N]
// Prints "calls=N titles=T checksum=C", computed like bench/internal/work.

import { getUserTitles } from "psn-api";

const n = Number(process.argv[2] ?? 1000);
const endpoint = process.env.PSN_ENDPOINT;
const accessToken = process.env.PSN_ACCESS_TOKEN;
if (!endpoint || !accessToken || !Number.isInteger(n) || n < 1) {
  console.error("usage: PSN_ENDPOINT=… PSN_ACCESS_TOKEN=… node bench/psnapi.mjs [N]");
  process.exit(2);
}
const sim = new URL(endpoint);
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const u = new URL(String(input));
  return realFetch(new URL(u.pathname + u.search, sim), init);
};

let titles = 0;
let checksum = 0;
for (let i = 0; i < n; i++) {
  const page = await getUserTitles({ accessToken }, "me", { limit: 100 });
  if (!Array.isArray(page.trophyTitles)) {
    console.error(`psnapi: call ${i} returned no trophyTitles: ${JSON.stringify(page).slice(0, 200)}`);
    process.exit(1);
  }
  for (const t of page.trophyTitles) {
    titles++;
    const e = t.earnedTrophies;
    checksum += t.progress + e.bronze + e.silver + e.gold + e.platinum + t.npCommunicationId.length;
  }
}
console.log(`calls=${n} titles=${titles} checksum=${checksum}`);
