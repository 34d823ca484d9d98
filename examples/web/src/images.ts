import type { ApiClient, Image } from "./api.js";
import { el } from "./dom.js";

/** What a hero image and an image block both carry (the block has every field optional). */
type ImageFields = { readonly [K in "url" | "src" | "alt" | "caption" | "credit" | "width" | "height" | "srcset"]?: Image[K] | null };

/** The article column's width (styles.css: `.article` is at most 42rem wide with 1.5rem padding each side). */
const articleColumn = "(max-width: 45rem) calc(100vw - 3rem), 42rem";

/**
 * A figure for a delivered image: `srcset` lists the asset's renditions (format `auto`, so the browser gets WebP or
 * AVIF when it accepts them) and the browser picks the width it needs; `src` (a JPEG) is for browsers without srcset.
 * `width` and `height` give the box its aspect ratio before the picture arrives, so the text below does not jump.
 * An image hosted elsewhere (no asset) has an empty srcset and is shown from its `url`.
 */
export function imageFigure(image: ImageFields, client: ApiClient, { className, hero = false }: { className: string; hero?: boolean }): HTMLElement | null {
  const src = image.src ?? image.url;
  if (!src) {
    return null;
  }
  const srcset = (image.srcset ?? []).map((rendition) => `${client.absolute(rendition.url)} ${rendition.width}w`).join(", ");
  const img = el("img", {
    ...(srcset ? { srcset, sizes: articleColumn } : {}),
    src: client.absolute(src),
    alt: image.alt ?? "",
    ...(image.width && image.height ? { width: String(image.width), height: String(image.height) } : {}),
    ...(hero ? { fetchpriority: "high" } : { loading: "lazy" }),
    decoding: "async",
  });
  const caption = image.caption || image.credit
    ? el("figcaption", {}, image.caption ?? "", image.credit ? el("span", { class: "credit" }, `${image.caption ? " · " : ""}${image.credit}`) : null)
    : null;
  return el("figure", { class: className }, img, caption);
}
