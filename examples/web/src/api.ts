// A typed client for the few anonymous calls this example makes (delivery and the tips inbox). Every type here is looked
// up in the types generated from openapi/headlessnews.v1.json, so a breaking change to the API fails `tsc --noEmit`.
// The document marks most properties optional, so the pages read lists with `?? []`.
import type { paths } from "./api-types.js";

export type ArticlePage = paths["/v1/articles"]["get"]["responses"][200]["content"]["application/json"];
export type ArticleSummary = NonNullable<ArticlePage["items"]>[number];
export type Article = paths["/v1/articles/{slug}"]["get"]["responses"][200]["content"]["application/json"];
export type Block = NonNullable<Article["body"]>[number];
export type Source = NonNullable<Article["sources"]>[number];
export type Image = NonNullable<Article["heroImage"]>;
export type LiveEntry = NonNullable<Article["liveBlog"]>["entries"][number];
export type LiveEntryPage = paths["/v1/articles/{slug}/entries"]["get"]["responses"][200]["content"]["application/json"];
export type NoticePage = paths["/v1/notices"]["get"]["responses"][200]["content"]["application/json"];
export type Notice = NonNullable<NoticePage["items"]>[number];

export type TipSubmission = NonNullable<paths["/v1/tips"]["post"]["requestBody"]>["content"]["multipart/form-data"];
export type TipReceipt = paths["/v1/tips"]["post"]["responses"][202]["content"]["application/json"];
export type TipConversation = paths["/v1/tips/messages"]["get"]["responses"][200]["content"]["application/json"];
export type TipMessage = TipConversation["messages"][number];
export type TipMessageRequest = NonNullable<paths["/v1/tips/messages"]["post"]["requestBody"]>["content"]["application/json"];

export type ArticleQuery = NonNullable<paths["/v1/articles"]["get"]["parameters"]["query"]>;
export type LiveEntryQuery = NonNullable<paths["/v1/articles/{slug}/entries"]["get"]["parameters"]["query"]>;
export type NoticeQuery = NonNullable<paths["/v1/notices"]["get"]["parameters"]["query"]>;

/** A problem answer (RFC 9457) or a network failure, with the message a reader can act on. */
export class ApiError extends Error {
  constructor(message: string, readonly status: number | null) {
    super(message);
  }
}

/** The header that carries a tip's receipt: never a URL, which servers and browsers log and keep. */
const receiptHeader = "Tip-Receipt";

export class ApiClient {
  constructor(private readonly baseUrl: string) {}

  /** Newest first; pass `cursor` from the previous page's `next` for the page after it. */
  listArticles(query: ArticleQuery): Promise<ArticlePage> {
    return this.get<ArticlePage>("/v1/articles", query);
  }

  /** The full article, or null when no visible article has this slug. */
  async getArticle(slug: string): Promise<Article | null> {
    try {
      return await this.get<Article>(`/v1/articles/${encodeURIComponent(slug)}`, {});
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        return null;
      }
      throw error;
    }
  }

  /** A live blog's entries, newest first; `since` keeps only those created or changed after it. */
  listEntries(slug: string, query: LiveEntryQuery): Promise<LiveEntryPage> {
    return this.get<LiveEntryPage>(`/v1/articles/${encodeURIComponent(slug)}/entries`, query);
  }

  /** A live blog's stream (Server-Sent Events); the browser reconnects by itself, sending Last-Event-ID. */
  liveEvents(slug: string): EventSource {
    return new EventSource(new URL(`/v1/articles/${encodeURIComponent(slug)}/live`, this.baseUrl));
  }

  /** An image URL from the API (a path unless the API knows its public address), made absolute. */
  absolute(url: string): string {
    return new URL(url, this.baseUrl).href;
  }

  /** Active public notices (the API's default), optionally within `radiusKm` of `near`. */
  listNotices(query: NoticeQuery): Promise<NoticePage> {
    return this.get<NoticePage>("/v1/notices", query);
  }

  /** Where the altcha widget fetches the proof-of-work challenge a tip must solve. */
  get tipChallengeUrl(): string {
    return new URL("/v1/tips/challenge", this.baseUrl).href;
  }

  /** Sends a tip as multipart/form-data (the fields of TipSubmission, plus `attachments` files); resolves with its receipt. */
  submitTip(form: FormData): Promise<TipReceipt> {
    return this.send<TipReceipt>("/v1/tips", { method: "POST", body: form });
  }

  /** The tip's conversation; a wrong receipt is an ApiError with status 404. */
  readTipMessages(receipt: string): Promise<TipConversation> {
    return this.send<TipConversation>("/v1/tips/messages", { headers: { [receiptHeader]: receipt } });
  }

  addTipMessage(receipt: string, request: TipMessageRequest): Promise<TipMessage> {
    return this.send<TipMessage>("/v1/tips/messages", {
      method: "POST",
      headers: { [receiptHeader]: receipt, "Content-Type": "application/json" },
      body: JSON.stringify(request),
    });
  }

  private get<T>(path: string, query: Readonly<Record<string, unknown>>): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== "") {
        url.searchParams.set(name, String(value));
      }
    }
    return this.send<T>(url, {});
  }

  private async send<T>(url: string | URL, init: Omit<RequestInit, "headers"> & { headers?: Record<string, string> }): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(url, this.baseUrl), { ...init, headers: { Accept: "application/json", ...init.headers } });
    } catch {
      throw new ApiError(`Could not reach the HeadlessNews API at ${this.baseUrl} (is it running, and does Cors:Origins include ${location.origin}?).`, null);
    }
    if (!response.ok) {
      const problem = (await response.json().catch(() => null)) as { title?: string; detail?: string; errors?: Record<string, string[]> } | null;
      // A validation problem's detail only says "see errors": the reader needs the errors themselves.
      const errors = Object.values(problem?.errors ?? {}).flat().join(" ");
      throw new ApiError(errors || problem?.detail || problem?.title || `The API answered ${response.status}.`, response.status);
    }
    return (await response.json()) as T;
  }
}

/** The API's address comes from the example's own server (config.json), so one build works against any API. */
export async function connect(): Promise<ApiClient> {
  const response = await fetch("/config.json");
  const config = (await response.json()) as { apiBase: string };
  return new ApiClient(config.apiBase);
}
