// "Send us your story": a reader sends the newsroom a tip (after the altcha widget has solved the API's proof of work),
// gets a receipt phrase, and later reads the newsroom's replies with it. The receipt lives only in this page's memory
// and in the Tip-Receipt header: never in a URL, storage or a cookie.
import "altcha";
import { connect, type ApiClient, type TipMessage, type TipSubmission } from "./api.js";
import { byId, el, formatDateTime, showError } from "./dom.js";

const textFields: readonly (keyof TipSubmission)[] = ["message", "name", "contact", "website", "altcha"];

/** The form as the API takes it: filled-in text fields and the chosen files (an empty file input would send an empty part). */
function submission(form: HTMLFormElement): FormData {
  const fields = new FormData(form);
  const body = new FormData();
  for (const name of textFields) {
    const value = fields.get(name);
    if (typeof value === "string" && value.trim() !== "") {
      body.set(name, value);
    }
  }
  for (const file of fields.getAll("attachments")) {
    if (file instanceof File && file.size > 0) {
      body.append("attachments", file);
    }
  }
  return body;
}

function mountSend(client: ApiClient): void {
  const form = byId("tip-form") as HTMLFormElement;
  const status = byId("tip-status");
  const widget = document.createElement("altcha-widget");
  widget.setAttribute("challengeurl", client.tipChallengeUrl);
  widget.setAttribute("name", "altcha" satisfies keyof TipSubmission);
  // The proof of work starts when the reader starts typing, so it is usually solved before they finish.
  widget.setAttribute("auto", "onfocus");
  byId("tip-check").append(widget);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]") as HTMLButtonElement;
    button.disabled = true;
    status.textContent = "Sending…";
    try {
      const { receipt } = await client.submitTip(submission(form));
      byId("receipt-phrase").textContent = receipt;
      byId("receipt").hidden = false;
      form.reset();
      form.hidden = true;
      status.textContent = "";
    } catch (error) {
      // The next try solves a fresh challenge, so an expired or already used solution is never sent again.
      (widget as HTMLElement & AltchaWidgetMethods).reset();
      showError(status, error);
    } finally {
      button.disabled = false;
    }
  });
}

function messageItem(message: TipMessage): HTMLLIElement {
  return el(
    "li",
    { class: `message from-${message.from}` },
    el("p", { class: "meta" }, message.from === "newsroom" ? "The newsroom" : "You", " · ", formatDateTime(message.at)),
    el("p", { class: "text" }, message.text),
  );
}

function mountReplies(client: ApiClient): void {
  const receiptForm = byId("receipt-form") as HTMLFormElement;
  const followUp = byId("follow-up-form") as HTMLFormElement;
  const list = byId("conversation");
  const status = byId("conversation-status");
  let receipt: string | null = null;

  receiptForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const typed = (receiptForm.elements.namedItem("receipt") as HTMLInputElement).value.trim();
    status.textContent = "Loading…";
    try {
      const { messages } = await client.readTipMessages(typed);
      receipt = typed;
      list.replaceChildren(...messages.map(messageItem));
      const replies = messages.filter((message) => message.from === "newsroom").length;
      status.textContent = replies === 0 ? "No reply yet." : `${replies} repl${replies === 1 ? "y" : "ies"} from the newsroom.`;
      followUp.hidden = false;
    } catch (error) {
      receipt = null;
      list.replaceChildren();
      followUp.hidden = true;
      showError(status, error);
    }
  });

  followUp.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!receipt) {
      return;
    }
    const text = followUp.elements.namedItem("message") as HTMLTextAreaElement;
    try {
      list.append(messageItem(await client.addTipMessage(receipt, { message: text.value })));
      followUp.reset();
      status.textContent = "Sent.";
    } catch (error) {
      showError(status, error);
    }
  });
}

const client = await connect();
mountSend(client);
mountReplies(client);
