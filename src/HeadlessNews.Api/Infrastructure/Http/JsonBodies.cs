using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace HeadlessNews.Api.Infrastructure.Http;

public static class JsonBodies
{
    /// <summary>
    /// An operation that takes no body (publish a notice, rotate a secret) still answers a body that is not JSON as any
    /// route does, 400 Malformed JSON, instead of acting as though it were not there; a JSON body is ignored.
    /// </summary>
    public static TBuilder WithNoBodyButJson<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (invocation, next) =>
        {
            var http = invocation.HttpContext;
            if (http.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is null && http.Request.ContentLength is not 0
                && (http.Request.ContentLength is not null || http.Request.Headers.TransferEncoding.Count > 0))
            {
                var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
                try
                {
                    using var _ = await JsonDocument.ParseAsync(http.Request.Body, new JsonDocumentOptions { MaxDepth = options.MaxDepth }, http.RequestAborted);
                }
                catch (JsonException e)
                {
                    throw new BadHttpRequestException("The request body could not be read as JSON.", e);
                }
            }
            return await next(invocation);
        });

    /// <summary>
    /// Reads a JSON body that a handler reads itself (its route also takes multipart) as every bound body is read: with the
    /// pipeline's JSON options (depth limit, refused characters), and a body that breaks them thrown as the framework throws
    /// it, so <see cref="ProblemExceptionHandler"/> answers with the same problem as on every other route.
    /// </summary>
    public static async Task<T?> ReadJsonBodyAsync<T>(this HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            // Without options the reader takes the pipeline's (IOptions<JsonOptions>), as parameter binding does.
            return await request.ReadFromJsonAsync<T>(cancellationToken);
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The request body could not be read as JSON.", e);
        }
    }
}
