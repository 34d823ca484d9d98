import type { ApiClient, Notice } from "./api.js";
import { el, formatDate, showError, trustedHtml } from "./dom.js";
import { knownDistricts, parseLocation } from "./postcodes.js";

const categoryNames: Partial<Record<NonNullable<Notice["category"]>, string>> = {
  planning: "Planning",
  traffic_and_roads: "Traffic and roads",
  licensing: "Licensing",
  deceased_estates: "Deceased estates",
  environment: "Environment",
  council_and_government: "Council and government",
  insolvency: "Insolvency",
  other: "Other",
};

function noticeItem(notice: Notice): HTMLLIElement {
  const where = [notice.location?.description, notice.location?.postcode].filter(Boolean).join(", ");
  const category = notice.category ? (categoryNames[notice.category] ?? notice.category) : "Notice";
  return el(
    "li",
    { class: "notice", "data-notice-id": notice.id ?? "" },
    el("p", { class: "category" }, category, notice.active ? "" : " (not active)"),
    el("h3", {}, notice.title),
    el("p", { class: "meta" }, notice.issuer?.name, where ? ` · ${where}` : ""),
    notice.effectiveTo ? el("p", { class: "meta" }, `In force until ${formatDate(notice.effectiveTo)}`) : null,
    notice.responseDeadline ? el("p", { class: "meta" }, `Representations by ${formatDate(notice.responseDeadline)}`) : null,
    el("details", {}, el("summary", {}, `Read notice ${notice.reference ?? ""}`), trustedHtml("div", notice.body ?? "", { class: "notice-body" })),
  );
}

/** The notices panel: active public notices within a radius of a postcode district or a point. */
export function mountNotices(client: ApiClient, form: HTMLFormElement, list: HTMLElement, status: HTMLElement): void {
  const input = form.elements.namedItem("near") as HTMLInputElement;
  const radius = form.elements.namedItem("radiusKm") as HTMLSelectElement;

  async function load(): Promise<void> {
    const point = parseLocation(input.value);
    if (!point) {
      status.textContent = `Type coordinates such as 53.28,-3.83 or a postcode in ${knownDistricts().join(", ")}.`;
      list.replaceChildren();
      return;
    }
    status.textContent = "Loading notices…";
    try {
      const page = await client.listNotices({ near: `${point.latitude},${point.longitude}`, radiusKm: Number(radius.value), limit: 20 });
      const notices = page.items ?? [];
      list.replaceChildren(...notices.map(noticeItem));
      status.textContent = notices.length === 0
        ? `No active notices within ${radius.value} km of ${input.value.trim()}.`
        : `${notices.length}${page.next ? "+" : ""} active notice${notices.length === 1 ? "" : "s"} within ${radius.value} km of ${input.value.trim()}.`;
    } catch (error) {
      list.replaceChildren();
      showError(status, error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void load();
  });
  void load();
}
