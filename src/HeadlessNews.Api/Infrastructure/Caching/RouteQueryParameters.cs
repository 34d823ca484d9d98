using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace HeadlessNews.Api.Infrastructure.Caching;

/// <summary>
/// The query parameters a route handler binds: its simple-typed parameters (strings, enums, anything parsable) that are
/// not route values, those marked <c>[FromQuery]</c>, those of an <c>[AsParameters]</c> type, and the constructor parameters
/// of a type that binds itself (<c>BindAsync</c>) from the query, as the feeds' filter record does. Services, the
/// HttpContext, headers and bodies are not query parameters.
/// </summary>
internal static class RouteQueryParameters
{
    public static string[] Of(EndpointBuilder endpoint)
    {
        var handler = endpoint.Metadata.OfType<MethodInfo>().FirstOrDefault() ?? throw new InvalidOperationException(
            $"{endpoint.DisplayName}: delivery caching needs a route handler, whose parameters say which query parameters it reads.");
        var routeValues = (endpoint as RouteEndpointBuilder)?.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        return [.. handler.GetParameters().SelectMany(p => Of(p, routeValues)).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private static IEnumerable<string> Of(ParameterInfo parameter, HashSet<string> routeValues)
    {
        var attributes = parameter.GetCustomAttributes(inherit: true);
        if (attributes.OfType<IFromQueryMetadata>().FirstOrDefault() is { } fromQuery)
        {
            return [fromQuery.Name ?? parameter.Name!];
        }
        if (attributes.Any(a => a is IFromRouteMetadata or IFromHeaderMetadata or IFromBodyMetadata or IFromFormMetadata or IFromServiceMetadata or FromKeyedServicesAttribute))
        {
            return [];
        }
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        if (attributes.OfType<AsParametersAttribute>().Any() || type.GetMethod("BindAsync", BindingFlags.Public | BindingFlags.Static) is not null)
        {
            var constructor = type.GetConstructors().MaxBy(c => c.GetParameters().Length);
            return constructor?.GetParameters().SelectMany(p => Of(p, routeValues)) ?? [];
        }
        return IsBoundFromText(type) && !routeValues.Contains(parameter.Name!) ? [parameter.Name!] : [];
    }

    private static bool IsBoundFromText(Type type) =>
        type == typeof(string) || type.IsEnum
        || (type.IsArray && IsBoundFromText(type.GetElementType()!))
        || type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IParsable<>));
}
