using System.Reflection;
using System.Text.Json;
using HeadlessNews.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>
/// What the API's HTTP conventions add to every operation, derived from what the operation already says about itself,
/// so the document tells a generated client what it must send and may read: the headers of conditional writes,
/// idempotent creates and cached reads, the query filters a type binds itself, the body types of an operation that
/// takes several, the members every problem carries, and where a partner key may come as <c>?key=</c>.
/// </summary>
internal static class OpenApiHttpConventions
{
    public const string QueryKeyScheme = "PartnerKeyQuery";

    public static void AddHttpConventions(this SwaggerGenOptions options)
    {
        options.AddSecurityDefinition(QueryKeyScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Query,
            Name = "key",
            Description = "A feeds:partner API key as ?key=, for feed readers that cannot send an Authorization header (feeds, sitemaps and the change feed only).",
        });
        options.OperationFilter<SelfBoundQueryOperationFilter>();
        options.OperationFilter<RequestBodyTypesOperationFilter>();
        options.DocumentFilter<RequestBodyTypesOperationFilter>();
        options.OperationFilter<HeadersOperationFilter>();
        options.SchemaFilter<ProblemMembersSchemaFilter>();
    }

    private static OpenApiSchema Text(string? format = null) => new() { Type = JsonSchemaType.String, Format = format };

    /// <summary>
    /// A parameter whose type binds itself from the request (<c>BindAsync</c>, e.g. the feeds' filters) is invisible to
    /// the generator: its primary constructor's parameters are the query parameters it reads.
    /// </summary>
    private sealed class SelfBoundQueryOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            // The framework's API description leaves such parameters out, so they are read off the handler itself.
            foreach (var type in (context.MethodInfo?.GetParameters() ?? []).Select(p => p.ParameterType).Where(BindsItself).Distinct())
            {
                operation.Parameters ??= [];
                foreach (var parameter in type.GetConstructors().Single().GetParameters())
                {
                    var name = JsonNamingPolicy.CamelCase.ConvertName(parameter.Name!);
                    if (operation.Parameters.All(p => p.Name != name))
                    {
                        operation.Parameters.Add(new OpenApiParameter
                        {
                            Name = name,
                            In = ParameterLocation.Query,
                            Schema = context.SchemaGenerator.GenerateSchema(parameter.ParameterType, context.SchemaRepository),
                        });
                    }
                }
            }
        }

        private static bool BindsItself(Type type) =>
            type.GetMethod("BindAsync", BindingFlags.Public | BindingFlags.Static, [typeof(HttpContext)]) is not null && type.GetConstructors().Length == 1;
    }

    /// <summary>
    /// An operation taking several body types names both media types in one accepts entry (routing reads only the last),
    /// which the generator describes as no body at all: each media type gets the schema of the entry that names its type.
    /// </summary>
    private sealed class RequestBodyTypesOperationFilter : IOperationFilter, IDocumentFilter
    {
        /// <summary>The schema the untyped accepts entry made; once every body names its type, nothing refers to it.</summary>
        public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context) => swaggerDoc.Components?.Schemas?.Remove("Void");

        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.RequestBody?.Content is not { } content)
            {
                return;
            }
            var typed = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAcceptsMetadata>().Where(a => a.RequestType is not null);
            foreach (var accepts in typed)
            {
                foreach (var mediaType in accepts.ContentTypes.Where(content.ContainsKey))
                {
                    content[mediaType] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(accepts.RequestType!, context.SchemaRepository) };
                }
            }
        }
    }

    /// <summary>Request and response headers, by the statuses an operation lists.</summary>
    private sealed class HeadersOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var responses = operation.Responses ?? [];
            var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
            operation.Parameters ??= [];
            if (responses.ContainsKey("428"))
            {
                operation.Parameters.Add(Header("If-Match", required: true,
                    "The ETag of the version this change is based on, as the last read gave it (e.g. \"3\"): a stale one answers 412, none 428."));
                Describe(responses, "200", "ETag", "The new version's tag, for the next If-Match.");
            }
            if (Idempotency.IsIdempotent(metadata))
            {
                operation.Parameters.Add(Header(Idempotency.HeaderName, required: false,
                    "Any unique string (at most 255 characters): the same create sent again with it answers as the first did and creates nothing twice."));
            }
            if (responses.ContainsKey("304"))
            {
                operation.Parameters.Add(Header("If-None-Match", required: false, "An ETag this answer gave: 304 while it is still current."));
                operation.Parameters.Add(Header("If-Modified-Since", required: false, "An HTTP date; used when no If-None-Match is sent: 304 if nothing changed since."));
                Describe(responses, "200", "ETag", "The answer's tag, for If-None-Match.");
                Describe(responses, "200", "Cache-Control", "How long shared caches and browsers may keep the answer (max-age, stale-while-revalidate).");
            }
            Describe(responses, "429", "Retry-After", "Seconds to wait before trying again.");
            Describe(responses, "503", "Retry-After", "Seconds to wait before trying again.");
            if (operation.Parameters.Count == 0)
            {
                operation.Parameters = null;
            }
            if (ApiKeyAuthenticationHandler.AcceptsQueryKey(new PathString("/" + context.ApiDescription.RelativePath)))
            {
                var bearer = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] };
                var query = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(QueryKeyScheme, context.Document)] = [] };
                // Without a key these routes answer the public (an empty requirement); with one, as the key allows.
                operation.Security = operation.Security is { Count: > 0 } ? [bearer, query] : [new OpenApiSecurityRequirement(), bearer, query];
            }
        }

        private static OpenApiParameter Header(string name, bool required, string description) =>
            new() { Name = name, In = ParameterLocation.Header, Required = required, Description = description, Schema = Text() };

        private static void Describe(OpenApiResponses responses, string status, string header, string description)
        {
            if (responses.TryGetValue(status, out var found) && found is OpenApiResponse response)
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.OrdinalIgnoreCase);
                response.Headers.TryAdd(header, new OpenApiHeader { Description = description, Schema = Text() });
            }
        }
    }

    /// <summary>
    /// What every problem carries beyond RFC 9457's members (see <see cref="Problems.Complete"/>): the type, title, status
    /// and instance always, the trace id to quote to an operator, errors by field on a 400, and the current version on a 412.
    /// </summary>
    private sealed class ProblemMembersSchemaFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (context.Type != typeof(ProblemDetails) || schema is not OpenApiSchema { Properties: { } properties } problem)
            {
                return;
            }
            properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's trace id, as the API's logs name it." };
            properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "For an invalid request: the messages for each field, by its JSON path.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Text() },
            };
            properties["currentVersion"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "On a 412: the version the change should have been based on." };
            problem.Required = new HashSet<string>(["type", "title", "status", "instance", "traceId"], StringComparer.Ordinal);
            foreach (var always in problem.Required)
            {
                if (properties[always] is OpenApiSchema { Type: { } type } member)
                {
                    member.Type = type & ~JsonSchemaType.Null;
                }
            }
        }
    }
}
