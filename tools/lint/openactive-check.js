// Runs OpenActive's own validators over a running Common Ground:
// the RPDE validator walks both feeds, and the data-model validator checks
// a sample of each feed's items and the dataset site's JSON-LD. Prints every
// message by severity and exits 1 when any is a failure.
//
//   node openactive-check.js http://127.0.0.1:PORT
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { RpdeValidator } = require('@openactive/rpde-validator');
const { validate } = require('@openactive/data-model-validator');

// The data-model validator checks activities against the OpenActive
// Activity List, which it would fetch. Nothing is fetched here: its cache
// is filled from the copy of the list the repository keeps
// (openactive/testdata), under the key the validator's JSON loader uses.
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oa-validator-'));
const activityList = path.join(__dirname, '..', '..', 'openactive', 'testdata', 'activity-list.jsonld');
for (const url of ['https://openactive.io/activity-list', 'https://openactive.io/activity-list/activity-list.jsonld']) {
  const key = crypto.createHash('sha256').update(url).digest('hex');
  fs.writeFileSync(path.join(cacheDir, `${key}.json`), JSON.stringify({
    errorCode: 'error_none',
    data: JSON.parse(fs.readFileSync(activityList, 'utf8')),
    statusCode: 200,
    url,
    exception: null,
    contentType: 'application/ld+json',
    fetchTime: Date.now(),
  }));
}
const modelOptions = { loadRemoteJson: true, remoteJsonCachePath: cacheDir, remoteJsonCacheTimeToLive: 86400 };

const base = process.argv[2];
if (!base) {
  console.error('usage: node openactive-check.js BASE_URL');
  process.exit(2);
}

const feeds = [
  { path: '/openactive/facility-uses', pages: 5 },
  { path: '/openactive/slots', pages: 12 },
];
const sampleSize = 40; // updated items checked per feed, spread over its first pages

const counts = {};
function report(where, e) {
  const severity = e.severity || 'unknown';
  counts[severity] = (counts[severity] || 0) + 1;
  const text = (e.message || '').replace(/\s+/g, ' ').slice(0, 300);
  console.log(`${severity}\t${where}\t${e.type || e.rule || ''}\t${e.path || ''}\t${text}`);
}

async function rpde(feed) {
  const url = base + feed.path;
  const log = await RpdeValidator(url, { pageLimit: feed.pages, timeoutMs: 30000, logCallback: () => {} });
  for (const page of log.pages) {
    for (const e of page.errors) {
      report(`rpde ${feed.path}`, e);
    }
  }
  console.log(`rpde ${feed.path}: walked ${log.pages.length} pages`);
}

async function sample(feed) {
  let url = base + feed.path;
  const items = [];
  for (let i = 0; i < 4; i += 1) {
    const page = await (await fetch(url)).json();
    items.push(...page.items.filter((it) => it.state === 'updated'));
    if (page.next === url || page.items.length === 0) break;
    url = page.next;
  }
  const step = Math.max(1, Math.floor(items.length / sampleSize));
  let checked = 0;
  for (let i = 0; i < items.length && checked < sampleSize; i += step) {
    const result = await validate(items[i].data, { ...modelOptions, validationMode: 'RPDEFeed' });
    for (const e of result) report(`model ${feed.path} ${items[i].id}`, e);
    checked += 1;
  }
  console.log(`model ${feed.path}: checked ${checked} items`);
  if (checked === 0) {
    report(`model ${feed.path}`, { severity: 'failure', message: 'no updated items to check' });
  }
}

async function dataset() {
  const html = await (await fetch(base + '/openactive')).text();
  const m = html.match(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/);
  if (!m) {
    report('dataset', { severity: 'failure', message: 'no JSON-LD in the dataset site' });
    return;
  }
  const result = await validate(JSON.parse(m[1]), { ...modelOptions, validationMode: 'DatasetSite' });
  for (const e of result) report('model dataset', e);
  console.log('model dataset: checked');
}

(async () => {
  for (const feed of feeds) {
    await rpde(feed);
    await sample(feed);
  }
  await dataset();
  console.log('severities:', JSON.stringify(counts));
  const failures = counts.failure || 0;
  console.log(`openactive: ${failures} failures`);
  process.exit(failures > 0 ? 1 : 0);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
