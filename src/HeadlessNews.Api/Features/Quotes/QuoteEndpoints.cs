using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Events;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using HeadlessNews.Api.Infrastructure.Text;
using Mapster;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Quotes;

public static class QuoteEndpoints
{
    public const string ResourceType = "quote";

    public static RouteGroupBuilder MapQuotes(this RouteGroupBuilder manage)
    {
        var quotes = manage.MapGroup("/quotes").WithTags("Quotes");
        quotes.MapPost("", CreateQuote).WithName("CreateQuote").WithSummary("Create a quote.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).WithIdempotency();
        quotes.MapGet("", ListQuotes).WithName("ListQuotes").WithSummary("List quotes, most recently updated first.")
            .RequireAuthorization(Scopes.Policies.ContentRead);
        quotes.MapGet("/{id:guid}", GetQuote).WithName("GetQuote").WithSummary("Read one quote.")
            .RequireAuthorization(Scopes.Policies.ContentRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        quotes.MapPut("/{id:guid}", UpdateQuote).WithName("UpdateQuote").WithSummary("Replace a quote (If-Match); every article using it shows the change.")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        quotes.MapDelete("/{id:guid}", DeleteQuote).WithName("DeleteQuote").WithSummary("Delete a quote no published article uses (If-Match).")
            .RequireAuthorization(Scopes.Policies.ContentWrite).ProducesWriteProblems();
        return manage;
    }

    private static async Task<Results<Created<QuoteResponse>, ProblemHttpResult>> CreateQuote(
        SaveQuoteRequest request, HttpResponse response, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var quote = new Quote { Id = Guid.CreateVersion7(), Text = string.Empty, SpeakerName = string.Empty, Language = Languages.Default, Version = 1, CreatedAt = now };
        Apply(quote, request, now);
        db.Add(quote);
        if (await SaveAsync(db, quote, cancellationToken) is { } problem)
        {
            return problem;
        }
        response.SetETag(quote.Version);
        return TypedResults.Created($"/v1/manage/quotes/{quote.Id}", quote.Adapt<QuoteResponse>());
    }

    private static Task<Results<Ok<Page<QuoteResponse>>, ProblemHttpResult>> ListQuotes(
        int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken) =>
        db.ListRecentlyUpdatedAsync<Quote, QuoteResponse>(limit, cursor, http, signer, cancellationToken);

    private static Task<Results<Ok<QuoteResponse>, ProblemHttpResult>> GetQuote(Guid id, HttpResponse response, HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        db.GetWithETagAsync<Quote, QuoteResponse>(id, ResourceType, response, cancellationToken);

    private static async Task<Results<Ok<QuoteResponse>, ProblemHttpResult>> UpdateQuote(
        Guid id, SaveQuoteRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (quote, refused) = await db.FindForWriteAsync<Quote>(id, ResourceType, http.Request, cancellationToken);
        if (quote is null)
        {
            return refused!;
        }
        var now = clock.Now();
        Apply(quote, request, now);
        quote.Version++;
        if (await db.UsingQuote(id).AnyVisibleAsync(now, cancellationToken))
        {
            db.Record(clock, ContentEventTypes.QuoteUpdated, ResourceType, quote.Id, null, quote.Version);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await SaveAsync(db, quote, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        http.Response.SetETag(quote.Version);
        return TypedResults.Ok(quote.Adapt<QuoteResponse>());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteQuote(Guid id, HttpRequest request, HeadlessNewsDbContext db, CancellationToken cancellationToken)
    {
        var (quote, refused) = await db.FindForWriteAsync<Quote>(id, ResourceType, request, cancellationToken);
        if (quote is null)
        {
            return refused!;
        }
        var users = await db.UsingQuote(id).PublishedAsync(cancellationToken);
        if (users.Count > 0)
        {
            return ArticleReference.InUse("quote", users);
        }
        db.Remove(quote);
        return await SaveAsync(db, quote, cancellationToken) is { } problem ? problem : TypedResults.NoContent();
    }

    private static void Apply(Quote quote, SaveQuoteRequest request, DateTimeOffset now)
    {
        quote.Text = request.Text.Trim();
        quote.SpeakerName = request.Speaker.Name.Trim();
        quote.SpeakerRole = request.Speaker.Role;
        quote.SpeakerOrganisation = request.Speaker.Organisation;
        quote.SaidAt = request.SaidAt?.ToUniversalTime();
        quote.Context = request.Context;
        quote.SourceId = request.SourceId;
        quote.Language = request.Language ?? Languages.Default;
        quote.UpdatedAt = now;
    }

    private static async Task<ProblemHttpResult?> SaveAsync(HeadlessNewsDbContext db, Quote quote, CancellationToken cancellationToken)
    {
        try
        {
            return await db.SaveVersionedAsync(quote, ResourceType, cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsForeignKeyViolation())
        {
            return Problems.Validation("sourceId", "The source was deleted meanwhile.");
        }
    }
}
