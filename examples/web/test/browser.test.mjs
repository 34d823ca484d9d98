// Drives the example in Debian's Chromium against a real API: the API provisions its own PostgreSQL in a temp
// folder and seeds the fictional sample content; the example is served from another origin and reads it via CORS.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { browserStack, screenshots, skip } from "./harness.mjs";

describe("the example front end in Chromium", () => {
  const stack = browserStack();
  let apiUrl;
  let exampleOrigin;
  let page;

  async function apiJson(path) {
    const response = await fetch(new URL(path, apiUrl));
    const body = await response.text();
    assert.equal(response.status, 200, `GET ${path} answered ${response.status}: ${body}`);
    return JSON.parse(body);
  }

  before(async () => {
    if (skip) return;
    await stack.start();
    ({ apiUrl, exampleOrigin, page } = stack);
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

  test("every call the pages made went to the API cross-origin and was allowed by CORS", { skip }, () => {
    assert.deepEqual(stack.problems, []);
    assert.ok(stack.apiResponses.length >= 3, `Expected the pages to call the API; saw ${stack.apiResponses.length} responses.`);
    for (const response of stack.apiResponses) {
      assert.equal(response.headers()["access-control-allow-origin"], exampleOrigin, `${response.url()} lacks Access-Control-Allow-Origin`);
    }
  });
});
