import { connect, type ArticleSummary, type ApiClient } from "./api.js";
import { byId, el, formatDateTime, showError } from "./dom.js";
import { mountNotices } from "./notices.js";

function articleItem(article: ArticleSummary): HTMLLIElement {
  const byline = (article.authors ?? []).map((author) => author.name).join(" and ");
  return el(
    "li",
    { class: "article-card" },
    article.section ? el("p", { class: "section" }, article.section.name) : null,
    el("h3", {}, el("a", { class: "headline", href: `article.html?slug=${encodeURIComponent(article.slug ?? "")}` }, article.headline)),
    article.standfirst ? el("p", { class: "standfirst" }, article.standfirst) : null,
    el("p", { class: "meta" }, formatDateTime(article.publishAt), byline ? ` · ${byline}` : ""),
  );
}

async function showLatest(client: ApiClient): Promise<void> {
  const list = byId("articles");
  const more = byId("more-articles") as HTMLButtonElement;
  let cursor: string | null = null;

  async function loadPage(): Promise<void> {
    more.disabled = true;
    try {
      const page = await client.listArticles({ limit: 10, ...(language ? { language } : {}), ...(cursor ? { cursor } : {}) });
      list.append(...(page.items ?? []).map(articleItem));
      if (list.childElementCount === 0) {
        list.append(el("li", { class: "empty" }, "Nothing has been published yet."));
      }
      cursor = page.next ?? null;
      more.hidden = cursor === null;
    } catch (error) {
      showError(list, error);
    } finally {
      more.disabled = false;
    }
  }

  more.addEventListener("click", () => void loadPage());
  await loadPage();
}

// ?language=cy lists only the Welsh editions.
const language = new URLSearchParams(location.search).get("language");
if (language) {
  document.documentElement.lang = language;
}
const client = await connect();
mountNotices(client, byId("notice-form") as HTMLFormElement, byId("notice-list"), byId("notice-status"));
await showLatest(client).catch((error: unknown) => showError(byId("articles"), error));
