// Drives the example in Debian's Chromium against a real API: the API provisions its own PostgreSQL in a temp
// folder and seeds the fictional sample content; the example is served from another origin and reads it via CORS.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { browserStack, screenshots, skip } from "./harness.mjs";

// A 640×360 JPEG of one flat colour, made for this test (vips black, linear, cast to uchar, jpegsave): the smallest picture that
// still has two rendition widths (320 and 640).
const harbourJpeg = Buffer.from("/9j/2wBDABsSFBcUERsXFhceHBsgKEIrKCUlKFE6PTBCYFVlZF9VXVtqeJmBanGQc1tdhbWGkJ6jq62rZ4C8ybqmx5moq6T/2wBDARweHigjKE4rK06kbl1upKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKT/wAARCAFoAoADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAAAAT/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCcAoRgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAP/Z", "base64");

describe("the example front end in Chromium", () => {
  const stack = browserStack();
  let apiUrl;
  let exampleOrigin;
  let page;
  let adminKey;

  async function apiJson(path) {
    const response = await fetch(new URL(path, apiUrl));
    const body = await response.text();
    assert.equal(response.status, 200, `GET ${path} answered ${response.status}: ${body}`);
    return JSON.parse(body);
  }

  /** A management call with the admin key the API printed at its first start; JSON bodies, or a FormData upload. */
  async function manage(method, path, body, headers = {}) {
    const json = body !== undefined && !(body instanceof FormData);
    const response = await fetch(new URL(`/v1/manage${path}`, apiUrl), {
      method,
      headers: { Authorization: `Bearer ${adminKey}`, ...(json ? { "Content-Type": "application/json" } : {}), ...headers },
      body: json ? JSON.stringify(body) : body,
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} /v1/manage${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }

  const ifMatch = (resource) => ({ "If-Match": `"${resource.version}"` });
  const unique = (text) => `${text} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  /** Creates an article and publishes it now; resolves with the published article (management shape). */
  async function publishedArticle(fields) {
    const created = await manage("POST", "/articles", fields);
    return manage("POST", `/articles/${created.id}/publish`, {}, ifMatch(created));
  }

  async function openArticle(slug) {
    await page.goto(`${exampleOrigin}/article.html?slug=${encodeURIComponent(slug)}`);
    await page.locator("article h1").waitFor({ timeout: 15_000 });
  }

  async function stopApi() {
    if (!api || api.exitCode !== null || api.signalCode !== null) return;
    const exited = new Promise((resolve) => api.once("exit", resolve));
    api.kill("SIGTERM");
    const timer = setTimeout(() => api.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  }

  before(async () => {
    if (skip) return;
    await stack.start();
    ({ apiUrl, exampleOrigin, page, adminKey } = stack);
  }, { timeout: 900_000 });

  after(() => stack.stop(), { timeout: 120_000 });

  test("the home page lists the latest headlines from the delivery API", { skip }, async () => {
    const latest = await apiJson("/v1/articles?limit=10");
    assert.ok(latest.items.length > 0, "The sample content should include published articles.");

    await page.goto(`${exampleOrigin}/`);
    await page.locator("#articles .headline").first().waitFor({ timeout: 15_000 });
    assert.deepEqual(await page.locator("#articles .headline").allTextContents(), latest.items.map((item) => item.headline));
    await page.screenshot({ path: join(screenshots, "home.png"), fullPage: true });
  });

  test("an article page shows its quote with the speaker and its cited source", { skip }, async () => {
    const latest = await apiJson("/v1/articles?limit=10");
    const articles = await Promise.all(latest.items.map((item) => apiJson(`/v1/articles/${encodeURIComponent(item.slug)}`)));
    const article = articles.find((candidate) => candidate.sources.length > 0 && candidate.body.some((block) => block.type === "quote" && block.quote));
    assert.ok(article, "The sample content should include an article with a quote and a cited source.");
    const quote = article.body.find((block) => block.type === "quote" && block.quote).quote;

    await page.goto(`${exampleOrigin}/`);
    await page.getByRole("link", { name: article.headline, exact: true }).click();
    await page.locator("article h1").waitFor({ timeout: 15_000 });
    assert.equal(await page.locator("article h1").textContent(), article.headline);
    assert.match(page.url(), new RegExp(`slug=${encodeURIComponent(article.slug)}$`));

    const shownQuotes = await page.locator("figure.quote").allTextContents();
    assert.ok(shownQuotes.some((text) => text.includes(quote.text) && text.includes(quote.speaker.name)), `Quote "${quote.text}" by ${quote.speaker.name} not shown; saw ${JSON.stringify(shownQuotes)}`);
    const shownSources = await page.locator("article li.source").allTextContents();
    assert.ok(shownSources.some((text) => text.includes(article.sources[0].title)), `Source "${article.sources[0].title}" not shown; saw ${JSON.stringify(shownSources)}`);
    await page.screenshot({ path: join(screenshots, "article.png"), fullPage: true });
  });

  test("the notices panel shows the active notices near a postcode and near a point", { skip }, async () => {
    await page.goto(`${exampleOrigin}/`);
    await page.locator("#notice-status").filter({ hasText: /active notice/ }).waitFor({ timeout: 15_000 });
    assert.ok(await page.locator("#notice-list .notice").count() > 0, "No notice shown near the default postcode (LL32, Conwy).");

    const near = "53.3226,-3.8277";
    const expected = await apiJson(`/v1/notices?near=${near}&radiusKm=5&limit=20`);
    assert.ok(expected.items.length > 0, "The sample content should include an active notice within 5 km of Llandudno.");
    assert.ok(expected.items.every((notice) => notice.active), "Delivery should list active notices only.");
    await page.locator("#notice-form input[name=near]").fill(near);
    await page.locator("#notice-form select[name=radiusKm]").selectOption("5");
    await page.locator("#notice-form button[type=submit]").click();
    await page.locator("#notice-status").filter({ hasText: "within 5 km of 53.3226,-3.8277" }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await page.locator("#notice-list .notice h3").allTextContents(), expected.items.map((notice) => notice.title));
    await page.screenshot({ path: join(screenshots, "notices.png"), fullPage: true });
  });

  test("an article's hero picture is an uploaded asset, shown from its renditions with srcset, sizes, alt text, caption and credit", { skip }, async () => {
    const form = new FormData();
    form.append("file", new Blob([harbourJpeg], { type: "image/jpeg" }), "harbour.jpg");
    form.append("alt", "The harbour wall under a teal sky");
    form.append("caption", "Conwy harbour on the morning of the reopening");
    form.append("credit", "Coast & Country test desk");
    const asset = await manage("POST", "/assets", form);
    const published = await publishedArticle({
      headline: unique("Harbour reopens with new sea wall"),
      body: [{ type: "paragraph", html: "The harbour reopened this morning." }],
      heroImage: { assetId: asset.id },
    });
    const delivered = await apiJson(`/v1/articles/${encodeURIComponent(published.slug)}`);
    const renditions = delivered.heroImage.srcset.map((rendition) => new URL(rendition.url, apiUrl).href);
    assert.ok(renditions.length >= 2, `Expected renditions at several widths; got ${JSON.stringify(delivered.heroImage.srcset)}`);

    await openArticle(published.slug);
    const hero = page.locator("article figure.hero img");
    await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await hero.elementHandle(), { timeout: 15_000 });
    const shown = await hero.evaluate((img) => ({
      currentSrc: img.currentSrc, srcset: img.getAttribute("srcset"), sizes: img.getAttribute("sizes"), alt: img.alt,
      width: img.getAttribute("width"), height: img.getAttribute("height"), naturalWidth: img.naturalWidth,
    }));
    assert.ok(renditions.includes(shown.currentSrc), `The browser showed ${shown.currentSrc}, not one of the renditions ${renditions.join(", ")}`);
    assert.ok(shown.naturalWidth > 0);
    for (const rendition of delivered.heroImage.srcset) {
      assert.ok(shown.srcset.includes(`${new URL(rendition.url, apiUrl).href} ${rendition.width}w`), `srcset ${shown.srcset} lacks the ${rendition.width}w rendition`);
    }
    assert.ok(shown.sizes, "The hero image has no sizes attribute.");
    assert.equal(shown.alt, "The harbour wall under a teal sky");
    assert.deepEqual([shown.width, shown.height], [String(asset.width), String(asset.height)]);
    const caption = await page.locator("article figure.hero figcaption").textContent();
    assert.ok(caption.includes("Conwy harbour on the morning of the reopening") && caption.includes("Coast & Country test desk"), `Caption shown: ${caption}`);
    await page.screenshot({ path: join(screenshots, "hero-image.png"), fullPage: true });
  });

  test("a live blog shows its entries pinned first with key events marked, and follows new, edited and deleted entries without a reload", { skip }, async () => {
    const blog = (await manage("POST", "/articles", {
      headline: unique("Live: storm closes the Menai bridges"),
      format: "liveblog",
      coverageStartTime: new Date().toISOString(),
      body: [{ type: "paragraph", html: "Follow the latest on the storm here." }],
    }));
    const entry = (html, flags = {}) => ({ body: [{ type: "paragraph", html }], ...flags });
    await manage("POST", `/articles/${blog.id}/entries`, entry("Both bridges are closed to all traffic.", { pinned: true }));
    await manage("POST", `/articles/${blog.id}/entries`, entry("Ferry sailings from Holyhead are cancelled.", { keyEvent: true }));
    await manage("POST", `/articles/${blog.id}/entries`, entry("Gusts of 70 mph at Aberffraw."));
    const published = await manage("POST", `/articles/${blog.id}/publish`, {}, ifMatch(blog));

    await openArticle(published.slug);
    const entries = page.locator("#live .entry");
    await page.locator("#live .live-status", { hasText: /^Live:/ }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await page.locator("#live .entry .body").allTextContents(), [
      "Both bridges are closed to all traffic.",
      "Gusts of 70 mph at Aberffraw.",
      "Ferry sailings from Holyhead are cancelled.",
    ], "Pinned first, then newest first");
    assert.equal(await entries.nth(0).locator(".badge", { hasText: "Pinned" }).count(), 1);
    assert.equal(await entries.nth(2).locator(".badge.key", { hasText: "Key event" }).count(), 1);
    assert.equal(await page.locator("#live .entry.key-event").count(), 1);

    // A reload would lose this mark: every change below must reach the page that is already open.
    await page.evaluate(() => { window.stillTheSamePage = true; });
    const posted = await manage("POST", `/articles/${blog.id}/entries`, entry("The Britannia Bridge has reopened.", { keyEvent: true }));
    const shown = page.locator(`#live .entry[data-entry-id="${posted.id}"]`);
    await shown.filter({ hasText: "The Britannia Bridge has reopened." }).waitFor({ timeout: 10_000 });
    assert.equal(await entries.nth(1).getAttribute("data-entry-id"), posted.id, "A new entry goes under the pinned one, above the older entries");
    assert.equal(await shown.locator(".badge.key").count(), 1);

    const edited = await manage("PUT", `/articles/${blog.id}/entries/${posted.id}`, entry("The Britannia Bridge has reopened to cars only.", { keyEvent: false }), ifMatch(posted));
    await shown.filter({ hasText: "reopened to cars only." }).waitFor({ timeout: 10_000 });
    assert.equal(await shown.locator(".badge.key").count(), 0, "The edit took the key-event mark away");

    await manage("DELETE", `/articles/${blog.id}/entries/${posted.id}`, undefined, ifMatch(edited));
    await shown.waitFor({ state: "detached", timeout: 10_000 });
    assert.equal(await entries.count(), 3);
    assert.equal(await page.evaluate(() => window.stillTheSamePage), true, "The page was reloaded");
    await page.screenshot({ path: join(screenshots, "live-blog.png"), fullPage: true });
  });

  test("a story with a published Welsh edition links to it, whose page is in Welsh with <html lang=cy>; an unpublished edition is not linked", { skip }, async () => {
    const paragraph = (html) => [{ type: "paragraph", html }];
    const english = await publishedArticle({ headline: unique("Lifeboat crew rescue walkers"), language: "en-GB", body: paragraph("The crew was called out at dawn.") });
    const draft = await manage("POST", `/articles/${english.id}/translations`, { language: "cy", headline: unique("Criw bad achub yn achub cerddwyr") });
    const welshBody = await manage("PUT", `/articles/${draft.id}`, { headline: draft.headline, language: "cy", body: paragraph("Cafodd y criw eu galw allan ar doriad gwawr.") }, ifMatch(draft));
    const welsh = await manage("POST", `/articles/${draft.id}/publish`, {}, ifMatch(welshBody));
    const untranslated = await publishedArticle({ headline: unique("Ferry timetable changes"), language: "en-GB", body: paragraph("New times start on Monday.") });
    await manage("POST", `/articles/${untranslated.id}/translations`, { language: "cy", headline: unique("Newidiadau i amserlen y fferi") });

    await openArticle(english.slug);
    assert.equal(await page.locator("html").getAttribute("lang"), "en-GB");
    const toWelsh = page.locator("article nav.editions a");
    assert.equal(await toWelsh.count(), 1);
    assert.deepEqual([await toWelsh.textContent(), await toWelsh.getAttribute("hreflang"), await toWelsh.getAttribute("lang")], ["Cymraeg", "cy", "cy"]);
    await toWelsh.click();
    await page.locator("article h1", { hasText: welsh.headline }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator("html").getAttribute("lang"), "cy");
    assert.match(await page.locator("article .body").textContent(), /Cafodd y criw eu galw allan ar doriad gwawr\./);
    const toEnglish = page.locator("article nav.editions a");
    assert.deepEqual([await toEnglish.textContent(), await toEnglish.getAttribute("hreflang")], ["English", "en-GB"]);
    await page.screenshot({ path: join(screenshots, "welsh-edition.png"), fullPage: true });

    await openArticle(untranslated.slug);
    assert.equal(await page.locator("article nav.editions").count(), 0, "A draft Welsh edition must not be linked");

    await page.goto(`${exampleOrigin}/?language=cy`);
    await page.locator("#articles .headline").first().waitFor({ timeout: 15_000 });
    const welshList = await page.locator("#articles .headline").allTextContents();
    assert.ok(welshList.includes(welsh.headline), `?language=cy should list ${welsh.headline}; saw ${JSON.stringify(welshList)}`);
    assert.ok(!welshList.includes(english.headline), "?language=cy listed the English edition");
  });

  test("every call the pages made went to the API cross-origin and was allowed by CORS", { skip }, () => {
    assert.deepEqual(stack.problems, []);
    // Pictures are plain <img> requests, which need no CORS; every fetch and event stream does.
    const calls = stack.apiResponses.filter((response) => ["fetch", "xhr", "eventsource"].includes(response.request().resourceType()));
    assert.ok(calls.length >= 3, `Expected the pages to call the API; saw ${calls.length} responses.`);
    for (const response of calls) {
      assert.equal(response.headers()["access-control-allow-origin"], exampleOrigin, `${response.url()} lacks Access-Control-Allow-Origin`);
    }
  });
});
