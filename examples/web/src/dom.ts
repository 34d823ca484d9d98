type Child = Node | string | null | undefined | false;

/** Builds an element; strings become text nodes, so API text is never parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child) {
      element.append(child);
    }
  }
  return element;
}

/** HTML the API has already sanitised (paragraph and list-item blocks, notice bodies). */
export function trustedHtml<K extends keyof HTMLElementTagNameMap>(tag: K, html: string, attributes: Readonly<Record<string, string>> = {}): HTMLElementTagNameMap[K] {
  const element = el(tag, attributes);
  element.innerHTML = html;
  return element;
}

export function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) {
    throw new Error(`The page has no #${id}.`);
  }
  return element;
}

export function showError(container: HTMLElement, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  container.replaceChildren(el("p", { class: "error", role: "alert" }, message));
}

const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/London" });
const dayFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "Europe/London" });

export function formatDateTime(value: string | null | undefined): string {
  return value ? dateFormat.format(new Date(value)) : "";
}

export function formatDate(value: string | null | undefined): string {
  return value ? dayFormat.format(new Date(value)) : "";
}
