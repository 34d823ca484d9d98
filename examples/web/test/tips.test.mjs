// "Send us your story" in Debian's Chromium against a real API: the altcha widget solves the API's real proof of work,
// the reader gets a receipt, the newsroom replies through the management API, and the reader reads the reply with it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { browserStack, screenshots, skip } from "./harness.mjs";

const widgetVerified = 'altcha-widget .altcha[data-state="verified"]';

describe("Send us your story in Chromium", () => {
  const stack = browserStack();
  let page;
  let tipsKey;
  /** The solution the accepted tip spent: the refusals replay it. */
  let spentSolution;

  async function manage(method, path, body) {
    const response = await fetch(new URL(path, stack.apiUrl), {
      method,
      headers: { Authorization: `Bearer ${tipsKey}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text);
  }

  /** Every tip holding a message with this text (each test's texts are unique, so other tips never count). */
  async function tipsSaying(text) {
    const found = [];
    for (let cursor = null, first = true; first || cursor; first = false) {
      const tips = await manage("GET", `/v1/manage/tips?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      for (const summary of tips.items) {
        const tip = await manage("GET", `/v1/manage/tips/${summary.id}`);
        if (tip.messages.some((message) => message.text.includes(text))) found.push(tip);
      }
      cursor = tips.next ?? null;
    }
    return found;
  }

  /**
   * Types the story (which starts the widget's proof of work) and waits for the solution: its payload, the time from
   * the widget's "verifying" to "verified" as the page saw it, and how much of that fetching the challenge took.
   */
  async function writeStoryAndSolve(message) {
    // The first field the reader focuses starts the work, so this must be it.
    await page.locator("altcha-widget .altcha").waitFor({ timeout: 15_000 });
    const verifyingMs = page.evaluate(() => new Promise((resolve) => {
      let started;
      document.querySelector("altcha-widget").addEventListener("statechange", ({ detail }) => {
        if (detail.state === "verifying") started = performance.now();
        if (detail.state === "verified") resolve(performance.now() - started);
      });
    }));
    const challenge = page.waitForResponse((response) => response.url().endsWith("/v1/tips/challenge"));
    await page.locator("#tip-form textarea[name=message]").fill(message);
    await page.locator(widgetVerified).waitFor({ timeout: 60_000 });
    const payload = await page.locator("#tip-form input[name=altcha]").inputValue();
    const solution = JSON.parse(Buffer.from(payload, "base64").toString("utf8"));
    const fetchMs = (await challenge).request().timing().responseEnd;
    return { payload, solution, verifyingMs: await verifyingMs, fetchMs };
  }

  before(async () => {
    if (skip) return;
    await stack.start();
    page = stack.page;
    // The bootstrap admin key makes the newsroom's key.
    const response = await fetch(new URL("/v1/manage/api-keys", stack.apiUrl), {
      method: "POST",
      headers: { Authorization: `Bearer ${stack.adminKey}`, "Content-Type": "application/json", "Idempotency-Key": randomUUID() },
      body: JSON.stringify({ name: "Tips desk (browser test)", scopes: ["tips:manage"] }),
    });
    const created = await response.json();
    assert.equal(response.status, 201, JSON.stringify(created));
    tipsKey = created.secret;
  }, { timeout: 900_000 });

  after(() => stack.stop(), { timeout: 120_000 });

  test("a reader sends a story, keeps the receipt and reads the newsroom's reply with it", { skip }, async () => {
    const story = `The footbridge at Deganwy has been closed for a week and nobody says why (${randomUUID()})`;
    const reply = `Thank you. Which end of the bridge is fenced off? (${randomUUID()})`;

    await page.goto(`${stack.exampleOrigin}/`);
    // The reader sees the home page first (leaving it earlier would abort its calls to the API).
    await page.locator("#articles .headline").first().waitFor({ timeout: 15_000 });
    await page.locator("#notice-status").filter({ hasText: / within / }).waitFor({ timeout: 15_000 });
    await page.getByRole("link", { name: "Send us your story" }).click();
    await page.waitForURL(/\/tips\.html$/);
    const { payload, solution } = await writeStoryAndSolve(story);
    assert.equal(solution.algorithm, "SHA-256");
    spentSolution = payload;
    await page.locator("#tip-form input[name=name]").fill("Gwen");
    await page.locator("#tip-form input[name=contact]").fill("gwen@example.org");
    await page.locator("#tip-form input[name=attachments]").setInputFiles({
      name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("Fence went up on Monday.\n"),
    });
    await page.locator("#tip-form button[type=submit]").click();

    const phrase = page.locator("#receipt-phrase");
    await phrase.waitFor({ timeout: 15_000 });
    const receipt = (await phrase.textContent()).trim();
    assert.match(receipt, /^[a-z]+(-[a-z]+){5,}$/, `Not a receipt phrase: "${receipt}"`);
    assert.match(await page.locator("#receipt .warning").innerText(), /only way to read our replies/);
    assert.ok(await page.locator("#tip-form").isHidden(), "The form should give way to the receipt.");
    await page.screenshot({ path: join(screenshots, "tip-receipt.png"), fullPage: true });

    const [tip] = await tipsSaying(story);
    assert.ok(tip, "The newsroom should find the tip.");
    assert.deepEqual([tip.name, tip.contact, tip.attachments.length], ["Gwen", "gwen@example.org", 1]);
    await manage("POST", `/v1/manage/tips/${tip.id}/messages`, { text: reply });

    // A new visit: the receipt is in nothing but the reader's hands.
    await page.goto(`${stack.exampleOrigin}/tips.html`);
    await page.locator("#receipt-form input[name=receipt]").fill(receipt);
    await page.locator("#receipt-form button[type=submit]").click();
    await page.locator(".message.from-newsroom .text", { hasText: reply }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await page.locator("#conversation .message .text").allTextContents(), [story, reply]);

    const followUp = `It is the Conwy end (${randomUUID()})`;
    await page.locator("#follow-up-form textarea[name=message]").fill(followUp);
    await page.locator("#follow-up-form button[type=submit]").click();
    await page.locator(".message.from-reader .text", { hasText: followUp }).waitFor({ timeout: 15_000 });
    assert.deepEqual((await manage("GET", `/v1/manage/tips/${tip.id}`)).messages.map((message) => [message.from, message.text]),
      [["reader", story], ["newsroom", reply], ["reader", followUp]]);
    await page.screenshot({ path: join(screenshots, "tip-replies.png"), fullPage: true });

    const receiptCalls = stack.apiResponses.filter((response) => response.url().includes("/v1/tips/messages"));
    assert.ok(receiptCalls.length >= 2, "The page should have read and added messages.");
    for (const response of stack.apiResponses) {
      assert.ok(!decodeURIComponent(response.url()).includes(receipt), `The receipt is in a URL: ${response.url()}`);
    }
    for (const response of receiptCalls.filter((r) => r.request().method() !== "OPTIONS")) {
      assert.equal((await response.request().allHeaders())["tip-receipt"], receipt);
    }
  });

  test("the widget solves the default challenge in Chromium (solve time printed)", { skip }, async (t) => {
    const challenge = await (await fetch(new URL("/v1/tips/challenge", stack.apiUrl))).json();
    const solves = [];
    for (let i = 0; i < 5; i++) {
      await page.goto(`${stack.exampleOrigin}/tips.html`);
      const { solution, verifyingMs, fetchMs } = await writeStoryAndSolve(`Timing run ${i}`);
      solves.push({ took: solution.took, verifyingMs, fetchMs });
    }
    const summary = (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `min ${Math.round(sorted[0])} / median ${Math.round(sorted[2])} / max ${Math.round(sorted[4])} ms`;
    };
    t.diagnostic(`altcha solve at maxnumber ${challenge.maxnumber} (Chromium, ${solves.length} solves): worker ${summary(solves.map((s) => s.took))}; `
      + `widget verifying → verified ${summary(solves.map((s) => s.verifyingMs))}, of which fetching the challenge ${summary(solves.map((s) => s.fetchMs))}`);
    assert.ok(solves.every((s) => Number.isFinite(s.took)), JSON.stringify(solves));
  });

  test("the page made no errors and every call to the API was allowed by CORS", { skip }, () => {
    assert.deepEqual(stack.problems, []);
    assert.ok(stack.apiResponses.length > 0);
    for (const response of stack.apiResponses) {
      assert.equal(response.headers()["access-control-allow-origin"], stack.exampleOrigin, `${response.url()} lacks Access-Control-Allow-Origin`);
    }
  });

  test("a tip without a solved challenge is refused and nothing is stored; a wrong receipt reads nothing", { skip }, async () => {
    assert.ok(spentSolution, "This test replays the solution the first test spent.");
    const story = `A robot's story (${randomUUID()})`;
    await page.goto(`${stack.exampleOrigin}/tips.html`);
    // A robot posting from the example's origin: no solution, a forged one (right challenge, wrong number), a spent one.
    const answers = await page.evaluate(async ({ apiUrl, story, spentSolution }) => {
      const challenge = await (await fetch(`${apiUrl}/v1/tips/challenge`)).json();
      const forged = btoa(JSON.stringify({ ...challenge, number: challenge.maxnumber + 1 }));
      const answers = [];
      for (const altcha of [null, forged, spentSolution]) {
        const form = new FormData();
        form.set("message", story);
        if (altcha) form.set("altcha", altcha);
        const response = await fetch(`${apiUrl}/v1/tips`, { method: "POST", body: form });
        answers.push({ status: response.status, problem: await response.json() });
      }
      return answers;
    }, { apiUrl: stack.apiUrl, story, spentSolution });
    for (const { status, problem } of answers) {
      assert.equal(status, 400, JSON.stringify(problem));
      assert.ok(problem.errors?.altcha, JSON.stringify(problem));
    }
    assert.deepEqual(await tipsSaying(story), []);

    await page.locator("#receipt-form input[name=receipt]").fill("not-my-receipt-at-all-really");
    await page.locator("#receipt-form button[type=submit]").click();
    await page.locator("#conversation-status .error", { hasText: "No tip has this receipt" }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator("#conversation .message").count(), 0);
    assert.ok(await page.locator("#follow-up-form").isHidden());
  });
});
