// Lighthouse on several pages in one Chromium, for tests/audit.
//
// Usage: node tests/audit/lighthouse.mjs PLAN.json
// PLAN: {"chromePath", "chromeFlags": [...], "categories": [...], "outputDir",
//        "pages": [{"name", "url", "cookies": [{"name", "value"}]}]}
// Writes OUTPUT_DIR/NAME.report.json and .report.html for each page, and
// NAME.page.html (the page as it was audited), one page after the other
// (never two at once: they would slow each other).
//
// One Chromium and one Node process for all the pages: launching them takes
// longer than auditing a page. Each page gets a tab of its own, and
// Lighthouse clears the cache and storage before it, so no page is audited
// warm. A page's cookies (a signed-in
// session) are set in the browser for that page only, as Lighthouse's guide
// to authenticated pages does with Puppeteer: a Cookie header in
// extraHeaders does not reach the server from this Chromium.
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
mkdirSync(plan.outputDir, {recursive: true});
const browser = await puppeteer.launch({
  executablePath: plan.chromePath,
  args: plan.chromeFlags,
  headless: true,
  defaultViewport: null, // Lighthouse emulates the phone's screen itself
});

/** Lighthouse on one page, in a tab of its own, with its cookies set for it. */
async function audit(target) {
  const domain = new URL(target.url).hostname;
  const cookies = (target.cookies || []).map((c) => ({...c, domain, path: '/'}));
  if (cookies.length) await browser.setCookie(...cookies);
  const page = await browser.newPage();
  try {
    const result = await lighthouse(
      target.url,
      {output: ['json', 'html'], onlyCategories: plan.categories, logLevel: 'error'},
      undefined,
      page,
    );
    if (!result) throw new Error(`Lighthouse returned nothing for ${target.url}`);
    // The page as Lighthouse left it, for the test to see whose page it was.
    return {result, content: await page.content()};
  } finally {
    await page.close();
    for (const {name} of cookies) await browser.deleteMatchingCookies({name, domain});
  }
}

try {
  for (const target of plan.pages) {
    let {result, content} = await audit(target);
    // Lighthouse itself failed to record the page (e.g. NO_NAVSTART, a trace
    // without the navigation): it asks to be run again. Once; the scores of
    // a run that worked are never retried.
    if (result.lhr.runtimeError) ({result, content} = await audit(target));
    const [json, html] = result.report;
    writeFileSync(join(plan.outputDir, `${target.name}.report.json`), json);
    writeFileSync(join(plan.outputDir, `${target.name}.report.html`), html);
    writeFileSync(join(plan.outputDir, `${target.name}.page.html`), content);
  }
} finally {
  await browser.close();
}
