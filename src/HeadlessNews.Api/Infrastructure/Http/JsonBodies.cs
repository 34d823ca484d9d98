using System.Text.Json;

namespace HeadlessNews.Api.Infrastructure.Http;

public static class JsonBodies
{
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
