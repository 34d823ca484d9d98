import { connect, type Article, type Block, type ApiClient, type Source } from "./api.js";
import { byId, el, formatDate, formatDateTime, showError, trustedHtml } from "./dom.js";
import { imageFigure } from "./images.js";
import { editionLinks } from "./languages.js";
import { mountLiveBlog } from "./liveblog.js";

const sourceKinds: Partial<Record<NonNullable<Source["kind"]>, string>> = {
  report: "Report",
  press_release: "Press release",
  statement: "Statement",
  dataset: "Dataset",
  court_record: "Court record",
  article: "Article",
  interview: "Interview",
  social_post: "Social media post",
  other: "Source",
};

function sourceItem(source: Source): HTMLLIElement {
  const title = source.url ? el("a", { href: source.url, rel: "noopener" }, source.title ?? source.url) : el("span", {}, source.title);
  const kind = source.kind ? (sourceKinds[source.kind] ?? source.kind) : null;
  const details = [kind, source.publisher, formatDate(source.publishedOn)].filter(Boolean).join(" · ");
  return el("li", { class: "source" }, title, el("span", { class: "meta" }, ` (${details})`));
}

function renderBlock(block: Block, sources: readonly Source[], client: ApiClient): HTMLElement | null {
  switch (block.type) {
    case "paragraph":
      return trustedHtml("p", block.html ?? "");
    case "heading":
      return el(block.level === 3 ? "h3" : block.level === 4 ? "h4" : "h2", {}, block.text ?? "");
    case "list": {
      const list = el(block.style === "numbered" ? "ol" : "ul");
      list.append(...(block.items ?? []).map((item) => trustedHtml("li", item)));
      return list;
    }
    case "quote": {
      if (!block.quote) {
        return null;
      }
      const { speaker } = block.quote;
      const attribution = [speaker?.name, speaker?.role, speaker?.organisation].filter(Boolean).join(", ");
      return el("figure", { class: "quote" }, el("blockquote", {}, el("p", {}, block.quote.text)), el("figcaption", {}, `— ${attribution}`));
    }
    case "image":
      return imageFigure(block, client, { className: "image" });
    case "embed":
      return block.url ? el("p", { class: "embed" }, el("a", { href: block.url, rel: "noopener" }, block.url)) : null;
    case "sourceList": {
      const cited = (block.sourceIds ?? []).map((id) => sources.find((source) => source.id === id)).filter((source) => source !== undefined);
      return el("aside", { class: "source-list" }, el("h3", {}, block.title ?? "Sources"), el("ul", {}, ...cited.map(sourceItem)));
    }
    default:
      return null;
  }
}

function renderBody(blocks: readonly Block[], sources: readonly Source[], client: ApiClient): HTMLElement {
  return el("div", { class: "body" }, ...blocks.map((block) => renderBlock(block, sources, client)));
}

function renderArticle(article: Article, client: ApiClient): HTMLElement {
  const body = article.body ?? [];
  const headline = article.headline ?? "";
  document.title = `${headline} · HeadlessNews example`;
  document.documentElement.lang = article.language;
  const byline = (article.authors ?? []).map((author) => (author.role ? `${author.name}, ${author.role}` : author.name)).join(" and ");
  const topics = [...(article.tags ?? []), ...(article.places ?? [])];
  const listedInBody = new Set(body.flatMap((block) => (block.type === "sourceList" ? (block.sourceIds ?? []) : [])));
  const otherSources = (article.sources ?? []).filter((source) => !source.id || !listedInBody.has(source.id));
  return el(
    "article",
    { "data-article-id": article.id ?? "" },
    editionLinks(article),
    article.section ? el("p", { class: "section" }, article.section.name) : null,
    el("h1", {}, headline),
    article.standfirst ? el("p", { class: "standfirst" }, article.standfirst) : null,
    el("p", { class: "meta" }, byline ? `By ${byline} · ` : "", formatDateTime(article.publishAt)),
    article.heroImage ? imageFigure(article.heroImage, client, { className: "hero", hero: true }) : null,
    article.old ? el("p", { class: "old", role: "note" }, "This article is more than a year old.") : null,
    renderBody(body, article.sources ?? [], client),
    mountLiveBlog(article, client, (blocks, sources) => renderBody(blocks, sources, client)),
    otherSources.length > 0
      ? el("section", { id: "sources" }, el("h2", {}, listedInBody.size > 0 ? "Also cited" : "Sources"), el("ul", {}, ...otherSources.map(sourceItem)))
      : null,
    topics.length > 0 ? el("p", { class: "topics" }, "Topics: ", topics.map((topic) => topic.name).join(", ")) : null,
  );
}

const container = byId("article");
const slug = new URLSearchParams(location.search).get("slug");
try {
  const client = await connect();
  const article = slug ? await client.getArticle(slug) : null;
  container.replaceChildren(article ? renderArticle(article, client) : el("p", { class: "error", role: "alert" }, "There is no published article at this address."));
} catch (error) {
  showError(container, error);
}
