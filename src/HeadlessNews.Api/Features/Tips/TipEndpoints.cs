using HeadlessNews.Api.Infrastructure.Events;
using FromHeaderAttribute = Microsoft.AspNetCore.Mvc.FromHeaderAttribute;

namespace HeadlessNews.Api.Features.Tips;

/// <summary>The readers' side of the tips inbox: anonymous, rate-limited per address in memory, never cached.</summary>
public static class TipEndpoints
{
    public const string ResourceType = "tip";
    public const string Path = "/v1/tips";
    private const string WrongReceipt = "No tip has this receipt.";
    private const int UploadRetryAfterSeconds = 5;
    private const string AlreadyUsed = "This solution has already been used; solve a new challenge.";

    public static RouteGroupBuilder MapTips(this RouteGroupBuilder v1)
    {
        var tips = v1.MapGroup("/tips").WithTags("Tips").AllowAnonymous();
        tips.MapGet("/challenge", GetChallenge).WithName("GetTipChallenge")
            .WithSummary("A proof-of-work challenge (ALTCHA SHA-256) to solve before sending a tip.");
        tips.MapPost("", SubmitTip).WithName("SubmitTip")
            .WithSummary("Send the newsroom a tip: JSON, or multipart/form-data with up to 5 attachments (images, MP3/WAV, plain text).")
            .Accepts<SubmitTipRequest>("application/json", "multipart/form-data")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        tips.MapGet("/messages", GetMessages).WithName("GetTipMessages")
            .WithSummary("The conversation of the tip whose receipt is in the Tip-Receipt header.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        tips.MapPost("/messages", AddMessage).WithName("AddTipMessage")
            .WithSummary("Add a message to the tip whose receipt is in the Tip-Receipt header.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return v1;
    }

    private static async Task<Ok<TipChallengeResponse>> GetChallenge(TipChallenges challenges, CancellationToken cancellationToken) =>
        TypedResults.Ok(await challenges.CreateAsync(cancellationToken));

    private static async Task<Results<Accepted<TipReceiptResponse>, ProblemHttpResult>> SubmitTip(
        HttpRequest http, HeadlessNewsDbContext db, TipChallenges challenges, TipSealer sealer, TipAttachments cleaner, TipUploadGate uploads,
        TimeProvider clock, IOptions<TipsOptions> options, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var (submission, files, unreadable) = await ReadSubmissionAsync(http, settings, cancellationToken);
        if (unreadable is not null)
        {
            return unreadable;
        }
        if (Invalid(submission!, files.Count, settings) is { } invalid)
        {
            return invalid;
        }
        var (proof, refusal) = await challenges.VerifyAsync(submission!.Altcha, cancellationToken);
        if (proof is not { } solved)
        {
            return Problems.Validation("altcha", refusal!);
        }
        // A robot's attachments (the honeypot filled in, below) are never read: it must not take the gate's place from a reader.
        var kept = string.IsNullOrEmpty(submission.Website) ? files : [];
        using var uploading = kept.Count == 0 ? null : await uploads.TryEnterAsync(cancellationToken);
        if (kept.Count > 0 && uploading is null)
        {
            return Problems.ServiceUnavailable(http.HttpContext,
                "Too many tips with attachments are being received at once; send it again in a moment.", UploadRetryAfterSeconds);
        }
        // Checked again when it is spent below; this only spares cleaning 50 MB for a replayed solution.
        if (await db.Set<SpentTipChallenge>().AnyAsync(c => c.Hash == solved.SpentHash, cancellationToken))
        {
            return Problems.Validation("altcha", AlreadyUsed);
        }
        // Past the gate each attachment comes into memory, is cleaned and sealed, and waits sealed in a temporary file
        // before the next is read, so a tip holds one file's copies at a time; the tip is stored in one short transaction
        // after all are ready: a transaction left open while pictures wait for the image gate would hold a connection,
        // the spent solution's row (a replay waits on it) and the change feed's horizon.
        await using var ready = new SealedAttachments();
        foreach (var (file, position) in kept.Select((f, i) => (f, i + 1)))
        {
            if (await SealAttachmentAsync(cleaner, sealer, ready, file, position, cancellationToken) is { } refused)
            {
                return TypedResults.Problem(refused.Detail, statusCode: refused.Status,
                    title: refused.Status == StatusCodes.Status415UnsupportedMediaType ? "Unsupported Media Type" : "Unprocessable attachment");
            }
        }
        var receipt = ReceiptPhrases.Create();
        var now = TipTime.ToHour(clock.GetUtcNow());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var spent = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO tip_spent_challenges (hash, expires_at) VALUES ({solved.SpentHash}, {TipTime.ToHour(solved.ExpiresAt).AddHours(1)}) ON CONFLICT DO NOTHING",
            cancellationToken);
        if (spent == 0)
        {
            return Problems.Validation("altcha", AlreadyUsed);
        }
        // A robot that filled in the honeypot is told it succeeded, so it learns nothing; its solution is spent all the same.
        if (!string.IsNullOrEmpty(submission.Website))
        {
            await transaction.CommitAsync(cancellationToken);
            return TypedResults.Accepted((string?)null, new TipReceiptResponse(receipt));
        }
        var tip = new Tip
        {
            Id = Guid.NewGuid(),
            ReceiptHash = ReceiptPhrases.Hash(receipt),
            Status = TipStatus.New,
            SealedName = sealer.SealOptional(submission.Name),
            SealedContact = sealer.SealOptional(submission.Contact),
            Version = 1,
            ReceivedAt = now,
            UpdatedAt = now,
            Messages = [new TipMessage { Id = Guid.NewGuid(), From = TipSender.Reader, SealedText = sealer.SealText(submission.Message!.Trim()), At = now }],
        };
        db.Add(tip);
        RecordReceived(db, clock, tip);
        await db.SaveChangesAsync(cancellationToken);
        await ready.StoreAsync(db, tip.Id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Accepted((string?)null, new TipReceiptResponse(receipt));
    }

    /// <summary>
    /// Reads, cleans and seals one attachment into <paramref name="ready"/>, or says why it is refused. In a method of its
    /// own so that its copies go when it returns (an async method's locals live as long as the method).
    /// </summary>
    private static async Task<AttachmentRefusal?> SealAttachmentAsync(TipAttachments cleaner, TipSealer sealer, SealedAttachments ready,
        IFormFile file, int position, CancellationToken cancellationToken)
    {
        var (clean, refused) = await cleaner.CleanAsync(await ReadAllAsync(file, cancellationToken), position, cancellationToken);
        if (clean is null)
        {
            return refused;
        }
        await ready.AddAsync(clean.ContentType, clean.Content.Length, sealer.Seal(clean.Content), cancellationToken);
        return null;
    }

    /// <summary>The <c>tip.received</c> webhook event: only the id leaves, and its times are to the hour too.</summary>
    private static void RecordReceived(HeadlessNewsDbContext db, TimeProvider clock, Tip tip)
    {
        var received = db.Record(clock, ContentEventTypes.TipReceived, ResourceType, tip.Id, null, tip.Version);
        received.OccurredAt = received.DueAt = tip.ReceivedAt;
    }

    private static async Task<Results<Ok<TipConversationResponse>, ProblemHttpResult>> GetMessages(
        [FromHeader(Name = ReceiptPhrases.Header)] string? receipt, HeadlessNewsDbContext db, TipSealer sealer, CancellationToken cancellationToken)
    {
        var tipId = await FindByReceiptAsync(receipt, db, cancellationToken);
        if (tipId is null)
        {
            return Problems.NotFound(WrongReceipt);
        }
        var messages = await db.Set<TipMessage>().AsNoTracking().Where(m => m.TipId == tipId).OrderBy(m => m.Sequence)
            .Select(m => new { m.From, m.SealedText, m.At }).ToListAsync(cancellationToken);
        return TypedResults.Ok(new TipConversationResponse([.. messages.Select(m => new ReaderMessageResponse(m.From, sealer.OpenText(m.SealedText), m.At))]));
    }

    private static async Task<Results<Created<ReaderMessageResponse>, ProblemHttpResult>> AddMessage(
        ReaderMessageRequest request, [FromHeader(Name = ReceiptPhrases.Header)] string? receipt, HeadlessNewsDbContext db, TipSealer sealer,
        TimeProvider clock, IOptions<TipsOptions> options, CancellationToken cancellationToken)
    {
        var tipId = await FindByReceiptAsync(receipt, db, cancellationToken);
        if (tipId is null)
        {
            return Problems.NotFound(WrongReceipt);
        }
        if (MessageProblem("message", request.Message, options.Value.MaxMessageLength) is { } invalid)
        {
            return invalid;
        }
        var message = await AddMessageAsync(db, sealer, clock, tipId.Value, TipSender.Reader, request.Message!.Trim(), null, cancellationToken);
        return TypedResults.Created((string?)null, new ReaderMessageResponse(message.From, request.Message.Trim(), message.At));
    }

    /// <summary>Appends a message and counts it as the tip's latest activity; the reader's and the newsroom's go the same way.</summary>
    internal static async Task<TipMessage> AddMessageAsync(
        HeadlessNewsDbContext db, TipSealer sealer, TimeProvider clock, Guid tipId, TipSender from, string text, string? author, CancellationToken cancellationToken)
    {
        var now = TipTime.ToHour(clock.GetUtcNow());
        var message = new TipMessage { Id = Guid.NewGuid(), TipId = tipId, From = from, SealedText = sealer.SealText(text), Author = author, At = now };
        db.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        await db.Set<Tip>().Where(t => t.Id == tipId).ExecuteUpdateAsync(s => s.SetProperty(t => t.UpdatedAt, now), cancellationToken);
        return message;
    }

    private static Task<Guid?> FindByReceiptAsync(string? receipt, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        if (receipt is null || receipt.Length is 0 or > 200)
        {
            return Task.FromResult<Guid?>(null);
        }
        var hash = ReceiptPhrases.Hash(receipt);
        return db.Set<Tip>().Where(t => t.ReceiptHash == hash).Select(t => (Guid?)t.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>How tips' limits count (<see cref="AcceptedText.CodePoints"/>), said in every refusal.</summary>
    private const string Characters = "characters (Unicode code points: an emoji is one)";

    internal static ProblemHttpResult? MessageProblem(string field, string? text, int maxLength) =>
        VisibleText.IsBlank(text) ? Problems.Validation(field, $"{field} must not be empty.")
        : AcceptedText.CodePoints(text) > maxLength ? Problems.Validation(field, $"{field} may be at most {maxLength} {Characters}.")
        : null;

    private static ProblemHttpResult? Invalid(SubmitTipRequest submission, int attachments, TipsOptions settings)
    {
        var errors = new Dictionary<string, string[]>();
        if (MessageProblem("message", submission.Message, settings.MaxMessageLength) is not null)
        {
            errors["message"] = [$"message is required, at most {settings.MaxMessageLength} {Characters}."];
        }
        if (submission.Name is { } name && AcceptedText.CodePoints(name) > 200)
        {
            errors["name"] = [$"name may be at most 200 {Characters}."];
        }
        if (submission.Contact is { } contact && AcceptedText.CodePoints(contact) > 500)
        {
            errors["contact"] = [$"contact may be at most 500 {Characters}."];
        }
        if (attachments > settings.MaxAttachments)
        {
            errors["attachments"] = [$"At most {settings.MaxAttachments} attachments."];
        }
        return errors.Count == 0 ? null : Problems.Validation(errors);
    }

    /// <summary>
    /// The submission as JSON or multipart; the attachments (each within its limit) as the form reader buffered them, in
    /// temporary files past 64 KB; or the problem that stops it.
    /// </summary>
    private static async Task<(SubmitTipRequest? Submission, IReadOnlyList<IFormFile> Files, ProblemHttpResult? Problem)> ReadSubmissionAsync(
        HttpRequest http, TipsOptions settings, CancellationToken cancellationToken)
    {
        if (!http.HasFormContentType)
        {
            try
            {
                var body = await http.ReadJsonBodyAsync<SubmitTipRequest>(cancellationToken);
                return body is null ? (null, [], Problems.BadRequest("Send the tip as a JSON object.")) : (body, [], null);
            }
            catch (InvalidOperationException)
            {
                return (null, [], TypedResults.Problem(Problems.UnsupportedMediaTypeDetail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type"));
            }
        }
        IFormCollection form;
        try
        {
            form = await http.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (MultipartBodies.IsMalformed(e))
        {
            return (null, [], Problems.BadRequest("The multipart body is malformed: send the fields message, altcha (name, contact) and up to 5 files as attachments."));
        }
        if (form.Files.Any(file => file.Length > settings.MaxAttachmentBytes))
        {
            return (null, [], TypedResults.Problem($"Each attachment may be at most {settings.MaxAttachmentBytes / (1024 * 1024)} MB.",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: Problems.TooLargeTitle));
        }
        string? Field(string name) => form.TryGetValue(name, out var value) ? value.ToString() : null;
        return (new SubmitTipRequest(Field("message"), Field("name"), Field("contact"), Field("altcha"), Field("website")), form.Files, null);
    }

    private static async Task<byte[]> ReadAllAsync(IFormFile file, CancellationToken cancellationToken)
    {
        var bytes = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }
}
