import type { Article } from "./api.js";
import { el } from "./dom.js";

// Each language is named in itself, so a reader finds their own. Chromium's ICU data lacks Welsh (Intl names it
// "Welsh" in every language), so the languages this publisher's region writes in are named here.
const endonyms: Readonly<Record<string, string>> = { cy: "Cymraeg", en: "English", ga: "Gaeilge", gd: "Gàidhlig" };

function languageName(tag: string): string {
  try {
    const language = new Intl.Locale(tag).language;
    return endonyms[language] ?? new Intl.DisplayNames([language], { type: "language" }).of(language) ?? tag;
  } catch {
    return tag;
  }
}

/** The article's language and a link to each of its other visible editions (the API lists only published ones). */
export function editionLinks(article: Article): HTMLElement | null {
  const editions = article.translations ?? [];
  if (editions.length === 0) {
    return null;
  }
  return el(
    "nav",
    { class: "editions", "aria-label": "Languages" },
    el("span", { class: "current", lang: article.language, "aria-current": "page" }, languageName(article.language)),
    ...editions.map((edition) =>
      el("a", { href: `article.html?slug=${encodeURIComponent(edition.slug)}`, hreflang: edition.language, lang: edition.language, rel: "alternate" }, languageName(edition.language))),
  );
}
