// What every browser test stands on: a real API (it provisions its own PostgreSQL in a temp folder and seeds the
// fictional sample content), the example served from another origin, and Debian's Chromium driven by playwright-core.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, chmodSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../serve.mjs";

export const exampleDir = fileURLToPath(new URL("../", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const screenshots = join(exampleDir, "test", "screenshots");
const chromiumPath = "/usr/bin/chromium";
const chromiumArgs = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const isRoot = process.getuid?.() === 0;

/** Runs a command to completion, collecting its output; rejects with that output on failure or time-out. */
function run(command, args, { cwd = repoRoot, env = process.env, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => { clearTimeout(timer); reject(error); });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${output.slice(-4000)}`));
    });
  });
}

/** Installs a Debian package when running as root; false when that is impossible or fails. */
async function aptInstall(...packages) {
  if (!isRoot) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  try {
    await run("apt-get", ["update", "-qq"], { env, timeoutMs: 300_000 });
    await run("apt-get", ["install", "-y", "-qq", ...packages], { env, timeoutMs: 600_000 });
    return true;
  } catch (error) {
    console.log(`# apt-get install ${packages.join(" ")} failed: ${error.message.split("\n")[0]}`);
    return false;
  }
}

async function chromiumUnavailableReason() {
  if (existsSync(chromiumPath) || (await aptInstall("chromium"))) {
    return existsSync(chromiumPath) ? null : `${chromiumPath} is still missing after installing the chromium package`;
  }
  return isRoot
    ? "Chromium is not installed and `apt-get install -y chromium` failed"
    : "Chromium is not installed (install Debian's chromium package, or run as root so the test can)";
}

function hasPostgres() {
  const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql") : [];
  return versions.some((version) => existsSync(`/usr/lib/postgresql/${version}/bin/initdb`))
    || (process.env.PATH ?? "").split(":").some((dir) => existsSync(join(dir, "initdb")));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function builtApiDll() {
  const release = join(repoRoot, "src", "HeadlessNews.Api", "bin", "Release");
  const framework = readdirSync(release).find((dir) => existsSync(join(release, dir, "HeadlessNews.Api.dll")));
  assert.ok(framework, `dotnet build left no HeadlessNews.Api.dll under ${release}`);
  return join(release, framework, "HeadlessNews.Api.dll");
}

const skipReason = await chromiumUnavailableReason();
// A skipped check is a green light nobody earned: in CI the browser test must run or fail.
if (skipReason && process.env.CI === "true") {
  throw new Error(`CI=true, and the browser tests cannot run: ${skipReason}.`);
}
if (skipReason) {
  console.log(`Skipping the browser tests: ${skipReason}.`);
}
/** The `skip` option of every browser test: false, or why the tests cannot run here. */
export const skip = skipReason ?? false;

/**
 * A real API (Development, fresh embedded database, `Cors__Origins` = the example's origin), the example served from
 * another origin, and Chromium on a fresh profile: `start()` in a test's `before`, `stop()` in its `after` (it stops
 * whatever started). `adminKey` is the bootstrap admin key the API printed; `problems` collects console errors, page errors and failed requests of the example's and the
 * API's own traffic; `apiResponses` every response from the API; `apiLog` the API's output.
 */
export function browserStack() {
  const stack = { scratch: null, apiUrl: "", exampleOrigin: "", adminKey: "", context: null, page: null, problems: [], apiResponses: [], apiLog: "" };
  let api;
  let exampleServer;

  stack.start = async () => {
    const scratch = stack.scratch = mkdtempSync(join(tmpdir(), "headlessnews-example-"));
    if (!hasPostgres()) {
      assert.ok(await aptInstall("postgresql"), "The API needs PostgreSQL's server binaries (Debian: apt-get install postgresql).");
    }
    await run("dotnet", ["build", "-c", "Release", "src/HeadlessNews.Api", "--nologo", "-v", "q"]);
    await run("npm", ["run", "build", "--silent"], { cwd: exampleDir });

    stack.apiUrl = `http://127.0.0.1:${await freePort()}`;
    exampleServer = await startServer({ port: 0, host: "127.0.0.1", apiBase: stack.apiUrl });
    stack.exampleOrigin = `http://127.0.0.1:${exampleServer.address().port}`;

    // The postgres OS user that runs the embedded cluster (when we are root) must reach the data folder.
    chmodSync(scratch, 0o755);
    const dll = builtApiDll();
    const env = {
      ...process.env,
      ASPNETCORE_ENVIRONMENT: "Development",
      Database__EmbeddedDataPath: join(scratch, "postgres"),
      Cors__Origins: stack.exampleOrigin,
      RateLimiting__Enabled: "false",
      Tips__KeyRingPath: join(scratch, "tips-keys"),
    };
    delete env.ConnectionStrings__HeadlessNews;
    delete env.ConnectionStrings__HeadlessNewsRead;
    api = spawn("dotnet", [dll, "--urls", stack.apiUrl], { cwd: join(dll, ".."), env, stdio: ["ignore", "pipe", "pipe"] });
    api.stdout.on("data", (chunk) => (stack.apiLog += chunk));
    api.stderr.on("data", (chunk) => (stack.apiLog += chunk));

    const deadline = Date.now() + 180_000;
    for (;;) {
      assert.ok(api.exitCode === null, `The API exited during start-up:\n${stack.apiLog.slice(-4000)}`);
      assert.ok(Date.now() < deadline, `The API was not ready within 180 s:\n${stack.apiLog.slice(-4000)}`);
      const ready = await fetch(new URL("/health/ready", stack.apiUrl)).then((response) => response.ok, () => false);
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // A fresh embedded database in Development prints a bootstrap admin key once: the tests' management calls use it.
    stack.adminKey = /admin API key \(scope \*\)[^\n]*\n\s*(\S+)/.exec(stack.apiLog)?.[1];
    assert.ok(stack.adminKey, `The API printed no bootstrap admin key:\n${stack.apiLog.slice(-4000)}`);

    const { chromium } = await import("playwright-core");
    const userDataDir = join(scratch, "chromium-profile");
    mkdirSync(userDataDir);
    stack.context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1280, height: 900 },
    });
    const page = stack.page = stack.context.pages()[0] ?? (await stack.context.newPage());
    // Only the example's and the API's own traffic counts: the sample images live on hosts this machine cannot reach.
    const ours = (url) => url.startsWith(stack.apiUrl) || url.startsWith(stack.exampleOrigin);
    page.on("console", (message) => {
      if (message.type() === "error" && ours(message.location().url)) stack.problems.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on("pageerror", (error) => stack.problems.push(`page error: ${error.message}`));
    page.on("requestfailed", (request) => {
      // A live blog's stream is open until the reader leaves the page, which aborts it.
      const leftLiveBlog = request.resourceType() === "eventsource" && request.failure()?.errorText === "net::ERR_ABORTED";
      if (ours(request.url()) && !leftLiveBlog) stack.problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
    });
    page.on("response", (response) => { if (response.url().startsWith(stack.apiUrl)) stack.apiResponses.push(response); });
    mkdirSync(screenshots, { recursive: true });
  };

  stack.stop = async () => {
    await stack.context?.close().catch(() => {});
    if (api && api.exitCode === null && api.signalCode === null) {
      const exited = new Promise((resolve) => api.once("exit", resolve));
      api.kill("SIGTERM");
      const timer = setTimeout(() => api.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    }
    exampleServer?.close();
    if (stack.scratch) rmSync(stack.scratch, { recursive: true, force: true });
  };

  return stack;
}
