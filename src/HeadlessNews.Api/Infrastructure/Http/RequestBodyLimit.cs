namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>A larger body limit than <see cref="HttpLimitsOptions.MaxRequestBodyBytes"/> for the requests a feature names (e.g. uploads).</summary>
public sealed record RequestBodyLimit(Func<HttpRequest, bool> Applies, long MaxBytes);
