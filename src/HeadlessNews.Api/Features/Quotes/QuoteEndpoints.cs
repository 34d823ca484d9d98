
namespace HeadlessNews.Api.Features.Quotes;

public static class QuoteEndpoints
{
    private static readonly ManagedResourceRoutes<Quote, SaveQuoteRequest, QuoteResponse> Routes = new()
    {
        Path = "quotes", Name = "Quote", ResourceType = QuoteWrites.ResourceType,
        Create = QuoteWrites.CreateAsync, Update = QuoteWrites.UpdateAsync, Delete = QuoteWrites.DeleteAsync,
        ListSummary = "List quotes, most recently updated first.",
        UpdateSummary = "Replace a quote (If-Match); every article using it shows the change.",
        DeleteSummary = "Delete a quote no published article uses (If-Match).",
    };

    public static RouteGroupBuilder MapQuotes(this RouteGroupBuilder manage) => Routes.MapTo(manage);
}
