using HeadlessNews.Api.Infrastructure.Database;
using HeadlessNews.Api.Infrastructure.Domain;
using HeadlessNews.Api.Infrastructure.Http;
using HeadlessNews.Api.Infrastructure.Security;
using Mapster;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Api.Features.Quotes;

public static class QuoteEndpoints
{
    private const string Collection = "/v1/manage/quotes";

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
        SaveQuoteRequest request, HttpResponse response, HeadlessNewsDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await QuoteWrites.CreateAsync(db, clock, request, cancellationToken)).ToCreated(response, Collection, e => e.Adapt<QuoteResponse>());

    private static Task<Results<Ok<Page<QuoteResponse>>, ProblemHttpResult>> ListQuotes(
        int? limit, string? cursor, HttpContext http, HeadlessNewsDbContext db, TokenSigner signer, CancellationToken cancellationToken) =>
        db.ListRecentlyUpdatedAsync<Quote, QuoteResponse>(limit, cursor, http, signer, cancellationToken);

    private static Task<Results<Ok<QuoteResponse>, ProblemHttpResult>> GetQuote(Guid id, HttpResponse response, HeadlessNewsDbContext db, CancellationToken cancellationToken) =>
        db.GetWithETagAsync<Quote, QuoteResponse>(id, QuoteWrites.ResourceType, response, cancellationToken);

    private static async Task<Results<Ok<QuoteResponse>, ProblemHttpResult>> UpdateQuote(
        Guid id, SaveQuoteRequest request, HttpContext http, HeadlessNewsDbContext db, TimeProvider clock, IArticleUsage usage, CancellationToken cancellationToken) =>
        (await QuoteWrites.UpdateAsync(db, clock, usage, id, http.Request.ExpectedVersion(), request, cancellationToken)).ToOk(http.Response, e => e.Adapt<QuoteResponse>());

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteQuote(
        Guid id, HttpRequest request, HeadlessNewsDbContext db, IArticleUsage usage, CancellationToken cancellationToken) =>
        (await QuoteWrites.DeleteAsync(db, usage, id, request.ExpectedVersion(), cancellationToken)).ToNoContent();
}
