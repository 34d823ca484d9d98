using Microsoft.AspNetCore.Http.Metadata;

namespace HeadlessNews.Api.Infrastructure.Http;

public static class QueryTimestamps
{
    /// <summary>
    /// Holds a route's timestamp query parameters (<c>from</c>, <c>updatedSince</c>…) to the rule JSON bodies follow
    /// (<see cref="TimestampOffsets"/>): a value the framework could read but that names no offset is a 400 keyed by the
    /// parameter. Routes without such a parameter get no filter at all.
    /// </summary>
    public static TBuilder RequireTimestampOffsets<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factoryContext, next) =>
        {
            var names = factoryContext.MethodInfo.GetParameters()
                .Where(p => (Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType) == typeof(DateTimeOffset))
                .Select(p => p.GetCustomAttributes(inherit: true).OfType<IFromQueryMetadata>().FirstOrDefault()?.Name ?? p.Name!)
                .ToArray();
            if (names.Length == 0)
            {
                return next;
            }
            return invocation =>
            {
                var query = invocation.HttpContext.Request.Query;
                foreach (var name in names)
                {
                    if (query.TryGetValue(name, out var values) && values.Any(value => !TimestampOffsets.HasOffset(value)))
                    {
                        return ValueTask.FromResult<object?>(Problems.Validation(name, TimestampOffsets.MissingIn(name, inQuery: true)));
                    }
                }
                return next(invocation);
            };
        });
}
