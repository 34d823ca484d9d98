using System.Net;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Audit;

namespace HeadlessNews.Api.Features.Tips;

/// <summary>The newsroom's side: triage, replies, drafts and spam. Every read of a tip's content is audited.</summary>
public static class TipManagementEndpoints
{
    public static RouteGroupBuilder MapTipManagement(this RouteGroupBuilder manage)
    {
        var tips = manage.MapGroup("/tips").WithTags("Tips");
        tips.MapGet("", ListTips).WithName("ListTips").WithSummary("List tips, newest first, optionally by status (no content: reading a tip is audited).")
            .RequireAuthorization(Scopes.Policies.TipsRead);
        tips.MapGet("/{id:guid}", GetTip).WithName("GetTip").WithSummary("Read a tip, decrypted; the read is audited.")
            .RequireAuthorization(Scopes.Policies.TipsRead).WithReadAudit();
        tips.MapGet("/{id:guid}/attachments/{attachmentId:guid}", GetAttachment).WithName("GetTipAttachment")
            .WithSummary("Download an attachment of a tip, decrypted; the read is audited.")
            .RequireAuthorization(Scopes.Policies.TipsRead).WithReadAudit()
            .Produces<byte[]>(StatusCodes.Status200OK, "image/jpeg", "image/png", "audio/mpeg", "audio/wav", "text/plain");
        tips.MapPut("/{id:guid}", UpdateTip).WithName("UpdateTip")
            .WithSummary("Change a tip's status (new → triaged → assigned → used | declined), assignee, article, keep and notes (If-Match).")
            .RequireAuthorization(Scopes.Policies.TipsManage).ProducesWriteProblems();
        tips.MapPost("/{id:guid}/messages", ReplyToTip).WithName("ReplyToTip").WithSummary("Reply to the reader; they read it with their receipt.")
            .RequireAuthorization(Scopes.Policies.TipsManage);
        tips.MapPost("/{id:guid}/draft", DraftFromTip).WithName("DraftArticleFromTip")
            .WithSummary("Create a draft article quoting the tip (never published by this); needs content:write too. Links the tip to it.")
            .RequireAuthorization(Scopes.Policies.TipsManage, Scopes.Policies.ContentWrite).ProducesProblem(StatusCodes.Status409Conflict);
        tips.MapPost("/decline", DeclineTips).WithName("DeclineTips").WithSummary("Decline many tips at once as spam.")
            .RequireAuthorization(Scopes.Policies.TipsManage);
        return manage;
    }

    private static async Task<Results<Ok<Page<TipSummaryResponse>>, ProblemHttpResult>> ListTips(
        string? status, int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken)
    {
        if (Pagination.TryRead(http, signer, limit, cursor, out var take, out var after) is { } problem)
        {
            return problem;
        }
        var query = db.Set<Tip>().AsNoTracking();
        if (status is not null)
        {
            if (!SnakeCaseNames.TryParse<TipStatus>(status, out var wanted))
            {
                return Problems.Validation("status", "status must be one of new, triaged, assigned, used, declined.");
            }
            query = query.Where(t => t.Status == wanted);
        }
        var rows = await query.NewestFirst(t => t.ReceivedAt, t => t.Id, after, take)
            .Select(t => new TipSummaryResponse(t.Id, t.Status, t.Assignee, t.ArticleId, t.Keep, t.Messages.Count, t.Attachments.Count, t.ReceivedAt, t.UpdatedAt, t.Version))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(Pagination.ToPage(http, signer, rows, take, t => new KeysetCursor(t.ReceivedAt, t.Id)));
    }

    private static async Task<Results<Ok<TipResponse>, ProblemHttpResult>> GetTip(
        Guid id, HttpResponse response, HeadlessNewsDbContext db, TipSealer sealer, CancellationToken cancellationToken)
    {
        if (await ReadAsync(db, sealer, id, cancellationToken) is not { } tip)
        {
            return NotFound(id);
        }
        response.SetETag(tip.Version);
        return TypedResults.Ok(tip);
    }

    /// <summary>The whole tip, decrypted, as GET answers it and PUT after a change.</summary>
    private static async Task<TipResponse?> ReadAsync(HeadlessNewsDbContext db, TipSealer sealer, Guid id, CancellationToken cancellationToken)
    {
        var tip = await db.Set<Tip>().AsNoTracking().Include(t => t.Messages.OrderBy(m => m.Sequence)).FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (tip is null)
        {
            return null;
        }
        var attachments = await db.Set<TipAttachment>().AsNoTracking().Where(a => a.TipId == id).OrderBy(a => a.Position)
            .Select(a => new TipAttachmentResponse(a.Id, a.ContentType, a.Length, $"/v1/manage/tips/{id}/attachments/{a.Id}")).ToListAsync(cancellationToken);
        return new TipResponse(
            tip.Id, tip.Status, sealer.OpenOptional(tip.SealedName), sealer.OpenOptional(tip.SealedContact),
            [.. tip.Messages.Select(m => new TipMessageResponse(m.Id, m.From, sealer.OpenText(m.SealedText), m.Author, m.At))],
            attachments, tip.Assignee, tip.ArticleId, tip.Keep, sealer.OpenOptional(tip.SealedNotes), tip.ReceivedAt, tip.UpdatedAt, tip.Version);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetAttachment(
        Guid id, Guid attachmentId, HeadlessNewsDbContext db, TipSealer sealer, CancellationToken cancellationToken)
    {
        var attachment = await db.Set<TipAttachment>().AsNoTracking().FirstOrDefaultAsync(a => a.TipId == id && a.Id == attachmentId, cancellationToken);
        return attachment is null
            ? Problems.NotFound($"Tip {id} has no attachment {attachmentId}.")
            : TypedResults.File(sealer.Open(attachment.SealedContent), attachment.ContentType, $"tip-attachment-{attachment.Position}");
    }

    private static async Task<Results<Ok<TipResponse>, ProblemHttpResult>> UpdateTip(
        Guid id, UpdateTipRequest request, HttpContext http, HeadlessNewsDbContext db, TipSealer sealer, TimeProvider clock, CancellationToken cancellationToken)
    {
        var found = await db.FindForWriteAsync<Tip>(id, TipEndpoints.ResourceType, http.Request.ExpectedVersion(), cancellationToken);
        if (found.Refusal is { } refusal)
        {
            return refusal.ToProblem();
        }
        var tip = found.Value!;
        var status = request.Status!.Value;
        if (status != tip.Status && !MayMove(tip.Status, status))
        {
            return Problems.Conflict($"A {SnakeCaseNames.Of(tip.Status)} tip cannot become {SnakeCaseNames.Of(status)}: new → triaged → assigned → used, and declined from any open status.");
        }
        if (request.ArticleId is { } articleId && !await db.Set<Article>().AnyAsync(a => a.Id == articleId, cancellationToken))
        {
            return Problems.Validation("articleId", $"No article has id {articleId}.");
        }
        tip.Status = status;
        tip.Assignee = string.IsNullOrWhiteSpace(request.Assignee) ? null : request.Assignee.Trim();
        tip.ArticleId = request.ArticleId;
        tip.Keep = request.Keep;
        tip.SealedNotes = sealer.SealOptional(request.Notes);
        tip.UpdatedAt = TipTime.ToHour(clock.GetUtcNow());
        tip.Version++;
        if (await db.SaveVersionedAsync(tip, TipEndpoints.ResourceType, cancellationToken) is { } lost)
        {
            return lost.ToProblem();
        }
        http.Response.SetETag(tip.Version);
        return TypedResults.Ok((await ReadAsync(db, sealer, id, cancellationToken))!);
    }

    private static bool MayMove(TipStatus from, TipStatus to) => (from, to) switch
    {
        (TipStatus.New, TipStatus.Triaged) or (TipStatus.Triaged, TipStatus.Assigned) or (TipStatus.Assigned, TipStatus.Used) => true,
        (TipStatus.New or TipStatus.Triaged or TipStatus.Assigned, TipStatus.Declined) => true,
        _ => false,
    };

    private static async Task<Results<Created<TipMessageResponse>, ProblemHttpResult>> ReplyToTip(
        Guid id, TipReplyRequest request, HttpContext http, HeadlessNewsDbContext db, TipSealer sealer, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!await db.Set<Tip>().AnyAsync(t => t.Id == id, cancellationToken))
        {
            return NotFound(id);
        }
        var text = request.Text!.Trim();
        var message = await TipEndpoints.AddMessageAsync(db, sealer, clock, id, TipSender.Newsroom, text, Caller.From(http).Describe(), cancellationToken);
        return TypedResults.Created($"/v1/manage/tips/{id}", new TipMessageResponse(message.Id, message.From, text, message.Author, message.At));
    }

    private static async Task<Results<Created<ArticleResponse>, ProblemHttpResult>> DraftFromTip(
        Guid id, TipDraftRequest request, HttpContext http, HeadlessNewsDbContext db, TipSealer sealer, TimeProvider clock, CancellationToken cancellationToken)
    {
        var tip = await db.Set<Tip>().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (tip is null)
        {
            return NotFound(id);
        }
        // One tip, one story: a second draft (a double click, a second editor) would take the tip's link from the first.
        if (tip.ArticleId is { } linked && await db.Set<Article>().AnyAsync(a => a.Id == linked, cancellationToken))
        {
            return Problems.Conflict($"This tip already has an article, {linked}; work on that one.", new Dictionary<string, object?> { ["articleId"] = linked });
        }
        var first = await db.Set<TipMessage>().AsNoTracking().Where(m => m.TipId == id && m.From == TipSender.Reader).OrderBy(m => m.Sequence)
            .Select(m => m.SealedText).FirstAsync(cancellationToken);
        var headline = string.IsNullOrWhiteSpace(request.Headline) ? "Reader tip" : request.Headline.Trim();
        var created = await ArticleWrites.CreateAsync(db, clock, Caller.From(http), new SaveArticleRequest(
            headline, null, null, QuotedBody(sealer.OpenText(first), tip.ReceivedAt), null, null, null, null, null, null, null, null), cancellationToken);
        if (created.Value is { } article)
        {
            tip.ArticleId = article.Id;
            tip.UpdatedAt = TipTime.ToHour(clock.GetUtcNow());
            tip.Version++;
            await db.SaveChangesAsync(cancellationToken);
        }
        return created.ToCreated(http.Response, ArticleEndpoints.Collection, a => a);
    }

    /// <summary>The tip's text as quoted paragraphs under a line saying where it came from; HTML in it is shown, not run.</summary>
    private static List<Block> QuotedBody(string message, DateTimeOffset receivedAt)
    {
        var paragraphs = message.Split(["\r\n\r\n", "\n\n"], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(900);
        return
        [
            new Block { Type = BlockTypes.Paragraph, Html = $"<strong>From a reader's tip received {receivedAt:yyyy-MM-dd}:</strong>" },
            .. paragraphs.Select(p => new Block { Type = BlockTypes.Paragraph, Html = $"<em>“{WebUtility.HtmlEncode(p)}”</em>" }),
        ];
    }

    private static async Task<Ok<DeclinedTipsResponse>> DeclineTips(
        DeclineTipsRequest request, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = TipTime.ToHour(clock.GetUtcNow());
        var ids = request.Ids!.Distinct().ToList();
        var declined = await db.Set<Tip>()
            .Where(t => ids.Contains(t.Id) && (t.Status == TipStatus.New || t.Status == TipStatus.Triaged || t.Status == TipStatus.Assigned))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TipStatus.Declined).SetProperty(t => t.Version, t => t.Version + 1).SetProperty(t => t.UpdatedAt, now), cancellationToken);
        return TypedResults.Ok(new DeclinedTipsResponse(declined));
    }

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"No tip has id {id}.");
}
