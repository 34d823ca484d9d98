namespace HeadlessNews.Api.Features.Tips;

/// <param name="Message">What the reader wants to tell the newsroom.</param>
/// <param name="Name">Optional: how the newsroom may call the reader.</param>
/// <param name="Contact">Optional: how to reach the reader (the receipt works without it).</param>
/// <param name="Altcha">Base64 of the solved challenge's JSON {algorithm, challenge, number, salt, signature}, as the altcha widget sends it.</param>
/// <param name="Website">Leave empty: a field only robots fill in.</param>
public sealed record SubmitTipRequest(string? Message, string? Name, string? Contact, string? Altcha, string? Website);

/// <param name="Receipt">The reader's only credential for replies: send it as the Tip-Receipt header. It is shown once.</param>
public sealed record TipReceiptResponse(string Receipt);

public sealed record ReaderMessageRequest(string? Message);

/// <param name="From">reader or newsroom.</param>
/// <param name="At">To the hour.</param>
public sealed record ReaderMessageResponse(TipSender From, string Text, DateTimeOffset At);

public sealed record TipConversationResponse(IReadOnlyList<ReaderMessageResponse> Messages);

public sealed record TipSummaryResponse(
    Guid Id, TipStatus Status, string? Assignee, Guid? ArticleId, bool Keep, int Messages, int Attachments,
    DateTimeOffset ReceivedAt, DateTimeOffset UpdatedAt, int Version);

/// <param name="Author">The newsroom key that replied; null for the reader.</param>
public sealed record TipMessageResponse(Guid Id, TipSender From, string Text, string? Author, DateTimeOffset At);

public sealed record TipAttachmentResponse(Guid Id, string ContentType, long Bytes, string Url);

public sealed record TipResponse(
    Guid Id, TipStatus Status, string? Name, string? Contact, IReadOnlyList<TipMessageResponse> Messages,
    IReadOnlyList<TipAttachmentResponse> Attachments, string? Assignee, Guid? ArticleId, bool Keep, string? Notes,
    DateTimeOffset ReceivedAt, DateTimeOffset UpdatedAt, int Version);

/// <param name="Status">new → triaged → assigned → used | declined (declined from any open status).</param>
/// <param name="ArticleId">The article the tip became.</param>
/// <param name="Keep">With articleId, keeps the tip past retention.</param>
public sealed record UpdateTipRequest(TipStatus? Status, string? Assignee, Guid? ArticleId, bool Keep, string? Notes);

public sealed record TipReplyRequest(string? Text);

/// <param name="Headline">The draft's headline; default "Reader tip".</param>
public sealed record TipDraftRequest(string? Headline);

public sealed record DeclineTipsRequest(IReadOnlyList<Guid>? Ids);

public sealed record DeclinedTipsResponse(int Declined);
