using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HeadlessNews.Tests.Support;

/// <summary>
/// The committed OpenAPI document, read as a validator: every response a test host gives on a documented route must
/// have a documented status, a documented media type and (for JSON) a body valid against the documented schema.
/// The document is OpenAPI 3.0, so its schemas become JSON Schema 2020-12 here (`nullable` becomes a "null" type)
/// and JsonSchema.Net judges them.
/// </summary>
public static class OpenApiConformance
{
    private static readonly Lazy<Document> Committed = new(() =>
        Document.Load(Path.Combine(RepositoryPaths.Root, "openapi", "headlessnews.v1.json")));

    /// <summary>Every (method, route, status) a test host answered on a documented route.</summary>
    private static readonly ConcurrentDictionary<string, byte> Covered = new(StringComparer.Ordinal);

    /// <summary>With HEADLESSNEWS_OPENAPI_COVERAGE=file, each (method, route, status) triple checked is appended there once.</summary>
    private static readonly string? CoverageFile = Environment.GetEnvironmentVariable("HEADLESSNEWS_OPENAPI_COVERAGE") is { Length: > 0 } file ? file : null;

    /// <summary>What is wrong with one response, or nothing when the document describes it.</summary>
    public static IReadOnlyList<string> Mismatches(string method, string routePattern, int status, string? contentType, string? contentEncoding, ReadOnlySpan<byte> body)
    {
        var document = Committed.Value;
        var path = Document.PathOf(routePattern);
        var verb = method == HttpMethods.Head ? "get" : method.ToLowerInvariant();
        if (document.Paths[path]?[verb] is not JsonObject operation)
        {
            return [$"{method} {path} is not in the document."];
        }
        var responses = operation["responses"]!.AsObject();
        if ((responses[status.ToString(CultureInfo.InvariantCulture)] ?? responses["default"]) is not JsonObject response)
        {
            return [$"{method} {path} answered {status}, which the document does not list ({string.Join(", ", responses.Select(r => r.Key))})."];
        }
        var triple = $"{verb.ToUpperInvariant()} {path} {status}";
        if (Covered.TryAdd(triple, 0) && CoverageFile is not null)
        {
            lock (Covered)
            {
                File.AppendAllLines(CoverageFile, [triple]);
            }
        }
        if (body.IsEmpty || method == HttpMethods.Head || contentEncoding is not null)
        {
            return [];
        }
        var mediaType = contentType?.Split(';')[0].Trim();
        if (response["content"] is not JsonObject content)
        {
            return mediaType is "application/json" or "application/problem+json"
                ? [$"{method} {path} {status} sent {mediaType}, but the document describes no content for it."]
                : [];
        }
        if (mediaType is null || content[mediaType] is not JsonObject media)
        {
            return [$"{method} {path} {status} sent {mediaType ?? "no Content-Type"}, the document lists {string.Join(", ", content.Select(c => c.Key))}."];
        }
        if (media["schema"] is not JsonObject schema || !mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            return [];
        }
        var result = document.Validate(schema, JsonDocument.Parse(body.ToArray()).RootElement);
        return result.IsValid ? [] : [.. Errors(result).Select(error => $"{method} {path} {status}: {error}")];
    }

    private static IEnumerable<string> Errors(EvaluationResults result) =>
        (result.Details ?? []).Where(detail => detail.Errors is not null)
            .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation} ({detail.EvaluationPath}): {error.Value}"))
            .Take(10);

    private sealed class Document(JsonObject paths, JsonObject definitions)
    {
        private readonly ConcurrentDictionary<string, JsonSchema> schemas = new(StringComparer.Ordinal);
        private readonly JsonObject definitions = definitions;

        public JsonObject Paths { get; } = paths;

        public static Document Load(string file)
        {
            var openApi = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var definitions = new JsonObject();
            foreach (var (name, schema) in openApi["components"]!["schemas"]!.AsObject())
            {
                definitions[name] = ToJsonSchema(schema!);
            }
            return new Document(openApi["paths"]!.AsObject(), definitions);
        }

        /// <summary>A route pattern as the document writes it: `/v1/manage/articles/{id:guid}` ⇒ `/v1/manage/articles/{id}`.</summary>
        public static string PathOf(string routePattern)
        {
            var path = "/" + routePattern.Trim('/');
            return System.Text.RegularExpressions.Regex.Replace(path, @"\{([^}:?=]+)[^}]*\}", "{$1}");
        }

        public EvaluationResults Validate(JsonObject openApiSchema, JsonElement instance)
        {
            var text = openApiSchema.ToJsonString();
            var schema = schemas.GetOrAdd(text, _ =>
            {
                var root = ToJsonSchema(openApiSchema).AsObject();
                root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
                root["$defs"] = definitions.DeepClone();
                return JsonSchema.FromText(root.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
            });
            return schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        }

        /// <summary>OpenAPI 3.0 schema ⇒ JSON Schema: `nullable` becomes a "null" type, component references become `$defs`.</summary>
        private static JsonNode ToJsonSchema(JsonNode node)
        {
            switch (node)
            {
                case JsonArray array:
                    return new JsonArray([.. array.Select(item => item is null ? null : ToJsonSchema(item))]);
                case JsonObject obj:
                    var copy = new JsonObject();
                    foreach (var (key, value) in obj)
                    {
                        if (key is "nullable" or "discriminator" or "example")
                        {
                            continue;
                        }
                        copy[key] = key == "$ref"
                            ? value!.GetValue<string>().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal)
                            : key == "properties" ? PropertiesToJsonSchema(value!.AsObject()) : value is null ? null : ToJsonSchema(value);
                    }
                    if (obj["nullable"]?.GetValue<bool>() != true)
                    {
                        return copy;
                    }
                    if (copy["enum"] is JsonArray values)
                    {
                        values.Add(null);
                    }
                    return copy["type"] is JsonValue type
                        ? WithType(copy, new JsonArray(type.GetValue<string>(), "null"))
                        : new JsonObject { ["anyOf"] = new JsonArray(copy, new JsonObject { ["type"] = "null" }) };
                default:
                    return node.DeepClone();
            }
        }

        private static JsonObject PropertiesToJsonSchema(JsonObject properties)
        {
            var converted = new JsonObject();
            foreach (var (name, schema) in properties)
            {
                converted[name] = ToJsonSchema(schema!);
            }
            return converted;
        }

        private static JsonObject WithType(JsonObject schema, JsonArray type)
        {
            schema["type"] = type;
            return schema;
        }
    }
}

/// <summary>Checks every response of a test host against the committed document; a mismatch fails the request's test.</summary>
public sealed class OpenApiConformanceStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var original = context.Response.Body;
            using var buffer = new ResponseBuffer(context.Response, original);
            context.Response.Body = buffer;
            try
            {
                await nextMiddleware(context);
            }
            finally
            {
                context.Response.Body = original;
            }
            // 499: the client gave up on the request, and its answer goes to nobody.
            if (context.Response.StatusCode != StatusCodes.Status499ClientClosedRequest
                && context.GetEndpoint() is RouteEndpoint endpoint && endpoint.RoutePattern.RawText is { } pattern
                && endpoint.Metadata.GetMetadata<System.Reflection.MethodInfo>()?.DeclaringType?.Assembly == typeof(Program).Assembly
                && endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true }
                && endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase) != false)
            {
                var mismatches = OpenApiConformance.Mismatches(context.Request.Method, pattern, context.Response.StatusCode,
                    context.Response.ContentType, context.Response.Headers.ContentEncoding.FirstOrDefault(), buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
                if (mismatches.Count > 0)
                {
                    throw new InvalidOperationException("The response does not match openapi/headlessnews.v1.json:\n" + string.Join('\n', mismatches));
                }
            }
            if (!buffer.Streams)
            {
                buffer.Position = 0;
                await buffer.CopyToAsync(original, CancellationToken.None);
            }
        });
        next(app);
    };
}

/// <summary>
/// Keeps what the app writes even with a cancelled token, as a server's response pipe does (a timeout's problem is
/// written while the request's token is cancelled). A Server-Sent Events stream passes straight through (its status
/// and media type are still checked): buffered, the reader would see nothing until it ended.
/// </summary>
internal sealed class ResponseBuffer(HttpResponse response, Stream original) : MemoryStream
{
    public bool Streams => response.ContentType?.StartsWith("text/event-stream", StringComparison.Ordinal) == true;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        Streams ? original.WriteAsync(buffer, cancellationToken) : base.WriteAsync(buffer, CancellationToken.None);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Streams ? original.WriteAsync(buffer, offset, count, cancellationToken) : base.WriteAsync(buffer, offset, count, CancellationToken.None);

    public override Task FlushAsync(CancellationToken cancellationToken) => Streams ? original.FlushAsync(cancellationToken) : Task.CompletedTask;
}
