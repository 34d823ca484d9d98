using System.Text.Json;
using System.Text.Json.Serialization;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>The API's JSON conventions, for HTTP bodies and for JSON the API prepares ahead of time (the delivery read model).</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>camelCase (web defaults), enums as snake_case strings, polymorphic metadata in any order (jsonb reorders keys).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.AllowOutOfOrderMetadataProperties = true;
        return options;
    }
}
