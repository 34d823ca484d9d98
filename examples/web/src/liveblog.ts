import type { Article, Block, ApiClient, LiveEntry, Source } from "./api.js";
import { el, formatDateTime } from "./dom.js";

type RenderBody = (blocks: readonly Block[], sources: readonly Source[]) => HTMLElement;

function entryItem(entry: LiveEntry, renderBody: RenderBody): HTMLLIElement {
  const byline = entry.authors.map((author) => author.name).join(" and ");
  return el(
    "li",
    { id: `entry-${entry.id}`, class: ["entry", entry.pinned ? "pinned" : "", entry.keyEvent ? "key-event" : ""].join(" ").trim(), "data-entry-id": entry.id },
    el(
      "p",
      { class: "meta" },
      entry.pinned ? el("span", { class: "badge" }, "Pinned") : null,
      entry.keyEvent ? el("strong", { class: "badge key" }, "Key event") : null,
      el("time", { datetime: entry.createdAt }, formatDateTime(entry.createdAt)),
      byline ? ` · ${byline}` : "",
    ),
    renderBody(entry.body, entry.sources),
    ...entry.corrections.map((correction) => el("p", { class: "correction" }, `Correction (${formatDateTime(correction.at)}): ${correction.text}`)),
  );
}

/**
 * A live blog's entries (pinned ones first, then the rest newest first, key events marked), kept up to date from the
 * API's Server-Sent Events stream: created and edited entries are put in place, deleted ones taken out. The browser's
 * EventSource reconnects by itself and sends Last-Event-ID, so the stream resumes with nothing missed.
 */
export function mountLiveBlog(article: Article, client: ApiClient, renderBody: RenderBody): HTMLElement | null {
  const live = article.liveBlog;
  if (!live) {
    return null;
  }
  const status = el("p", { class: "meta live-status", role: "status" }, "Connecting to live updates…");
  const pinned = el("ol", { class: "entries pinned-entries", "aria-label": "Pinned" });
  const feed = el("ol", { class: "entries", "aria-label": "Latest updates" });
  const shown = new Map<string, { version: number; createdAt: number; node: HTMLLIElement }>();
  const deleted = new Set<string>();

  // Events and the catch-up below may arrive in any order: an older version of an entry never replaces a newer one.
  function put(entry: LiveEntry): void {
    const current = shown.get(entry.id);
    if (deleted.has(entry.id) || (current && current.version > entry.version)) {
      return;
    }
    current?.node.remove();
    const node = entryItem(entry, renderBody);
    const createdAt = Date.parse(entry.createdAt);
    const list = entry.pinned ? pinned : feed;
    const next = [...shown.values()].filter((other) => other.node.parentElement === list && other.createdAt < createdAt)
      .sort((a, b) => b.createdAt - a.createdAt)[0];
    list.insertBefore(node, next?.node ?? null);
    shown.set(entry.id, { version: entry.version, createdAt, node });
  }

  function remove(id: string): void {
    deleted.add(id);
    shown.get(id)?.node.remove();
    shown.delete(id);
  }

  const loaded = [...live.pinned, ...live.entries, ...live.keyEvents];
  loaded.forEach(put);
  const newest = Math.max(Date.parse(article.updatedAt), ...loaded.map((entry) => Date.parse(entry.updatedAt)));
  const ended = live.coverageEndTime !== null && live.coverageEndTime !== undefined && Date.parse(live.coverageEndTime) <= Date.now();
  if (ended) {
    status.textContent = "Coverage has ended.";
  } else if (article.slug) {
    follow(article.slug);
  }

  function follow(slug: string): void {
    const stream = client.liveEvents(slug);
    const read = (event: Event): LiveEntry => JSON.parse((event as MessageEvent<string>).data) as LiveEntry;
    stream.addEventListener("entry.created", (event) => put(read(event)));
    stream.addEventListener("entry.updated", (event) => put(read(event)));
    stream.addEventListener("entry.deleted", (event) => remove(read(event).id));
    stream.addEventListener("liveblog.ended", () => {
      stream.close();
      status.textContent = "Coverage has ended.";
    });
    let caughtUp = false;
    stream.addEventListener("open", () => {
      status.textContent = "Live: new updates appear here as they are posted.";
      if (!caughtUp) {
        caughtUp = true;
        // Entries written between loading the article and the stream's start are not in the stream: fetch them once.
        client.listEntries(slug, { since: new Date(newest).toISOString(), limit: 100 })
          .then((page) => (page.items ?? []).forEach(put), () => undefined);
      }
    });
    stream.addEventListener("error", () => {
      status.textContent = stream.readyState === EventSource.CLOSED ? "Live updates stopped; reload the page for new entries." : "Reconnecting to live updates…";
    });
  }

  return el("section", { id: "live", "aria-labelledby": "live-heading" }, el("h2", { id: "live-heading" }, "Live updates"), status, pinned, feed);
}
