using System.Collections.Frozen;
using System.Text.Json;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace HeadlessNews.Api.Infrastructure.Http;

public static class OpenApiExtensions
{
    public const string DocumentName = "v1";
    private const string DocumentsPath = "/openapi";
    private const string UiPath = "/swagger";
    public const string DocumentRoute = $"{DocumentsPath}/{DocumentName}.json";
    private const string BearerScheme = "Bearer";

    public static IServiceCollection AddHeadlessNewsOpenApi(this IServiceCollection services)
    {
        services.AddOptions<OpenApiOptions>().BindConfiguration(OpenApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "HeadlessNews API",
                Version = "v1",
                Description = "A headless CMS for news publishers: articles with quotes and sources, public notices, feeds and webhooks.",
            });
            options.AddSecurityDefinition(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key: Authorization: Bearer hn_…",
            });
            options.OperationFilter<ProblemResponsesOperationFilter>();
            options.AddHttpConventions();
            options.OperationFilter<ParameterDescriptionsOperationFilter>();
            options.SchemaFilter<ValidatorRequiredSchemaFilter>();
            options.DocumentFilter<OpenRequestSchemasDocumentFilter>();
            options.SupportNonNullableReferenceTypes();
            options.NonNullableReferenceTypesAsRequired();
            options.UseAllOfToExtendReferenceSchemas();
        });
        return services;
    }

    /// <summary>
    /// Only requests under the document and UI paths enter Swashbuckle's middleware: on every other request it resolved the
    /// document generator from the request's services and matched the UI's path pattern, for nothing. In Production
    /// neither is served unless <c>OpenApi:Expose</c> is true (the build and the <c>openapi</c> command still write the document).
    /// </summary>
    public static WebApplication UseHeadlessNewsOpenApi(this WebApplication app)
    {
        if (app.Environment.IsProduction() && !app.Services.GetRequiredService<IOptions<OpenApiOptions>>().Value.Expose)
        {
            return app;
        }
        app.UseWhen(context => context.Request.Path.StartsWithSegments(DocumentsPath) || context.Request.Path.StartsWithSegments(UiPath), openApi =>
        {
            openApi.UseSwagger(options => options.RouteTemplate = DocumentsPath[1..] + "/{documentName}.json");
            openApi.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint(DocumentRoute, "HeadlessNews API v1");
                options.RoutePrefix = UiPath[1..];
            });
        });
        return app;
    }

    /// <summary>
    /// Describes parameters by name, so one name means one thing across the API. A description given at the
    /// endpoint wins; a parameter named nowhere here stays undescribed and fails the OpenAPI lint (openapi/.spectral.yml).
    /// </summary>
    private sealed class ParameterDescriptionsOperationFilter : IOperationFilter
    {
        private static readonly FrozenDictionary<string, string> Descriptions = new Dictionary<string, string>
        {
            ["limit"] = "Page size, 1 to 100; default 20 (feeds: 50).",
            ["cursor"] = "The opaque `next` value of the previous page; absent for the first page.",
            ["q"] = "Words to search for (websearch syntax: \"a phrase\", or, -word).",
            ["section"] = "A section slug.",
            ["tag"] = "A tag slug.",
            ["place"] = "A place slug.",
            ["author"] = "An author slug.",
            ["from"] = "Only items published at or after this moment (ISO-8601).",
            ["to"] = "Only items published before this moment (ISO-8601).",
            ["include"] = "Extra fields: `body` adds each item's bodyHtml.",
            ["language"] = "Content in this language (BCP-47; `cy` also matches `cy-GB`): articles, quotes and search keep only that language; a notice shows its text in it when it has it, else its own.",
            ["status"] = "Only resources in this workflow status.",
            ["updatedSince"] = "Only resources changed at or after this moment (ISO-8601).",
            ["id"] = "The resource's id (UUID).",
            ["slug"] = "The resource's URL-safe slug.",
            ["near"] = "A point as `latitude,longitude` in WGS84 degrees, e.g. 53.2801,-3.8277.",
            ["radiusKm"] = "With `near`: how far from the point, in kilometres.",
            ["category"] = "A notice category, e.g. planning or traffic_and_roads.",
            ["issuer"] = "The issuer's name.",
            ["includeExpired"] = "`true` to include notices that are no longer active.",
            ["kind"] = "A source kind, e.g. report or press_release.",
            ["publisher"] = "The source's publisher.",
            ["speaker"] = "The speaker's name.",
            ["organisation"] = "The speaker's organisation.",
            ["types"] = "Comma-separated result types: articles, notices, quotes, sources; default all.",
            ["since"] = "The `next` token of the previous page; absent to start from the beginning.",
            ["key"] = "A feeds:partner API key, for readers that cannot send an Authorization header.",
            ["resourceId"] = "Only entries about the resource with this id.",
            ["number"] = "A revision number (revision n is version n).",
            ["token"] = "The signed token of a preview link.",
            ["messageId"] = "A webhook message id (the webhook-id header of its deliveries).",
            ["createdBy"] = "`me`: only articles the caller created (by key, or by person for a signed-in editor).",
            ["version"] = "The asset's version; an older one answers 301 to the current rendition.",
            ["rendition"] = "`{width}.{format}`: a width from Media:Widths and jpg, webp, avif or auto (from Accept), e.g. 1280.webp.",
            ["ratio"] = "Crop around the focal point: 16x9, 4x3, 1x1 or 3x2; absent keeps the original shape.",
            ["exp"] = "With sig: when a signed rendition URL expires (Unix seconds).",
            ["sig"] = "With exp: the signature of a rendition URL for content that is not public yet.",
            ["path"] = "An old URL's path (e.g. /2015/07/02/old-permalink/ or /?p=123), or the whole URL.",
            ["Tip-Receipt"] = "The receipt phrase a reader got when sending the tip (words separated by hyphens or spaces, any case).",
            ["attachmentId"] = "The attachment's id (UUID).",
            ["entryId"] = "The live blog entry's id (UUID).",
            ["month"] = "An archive month as `yyyy-mm` (UTC), or `yyyy-mm-n` for its n-th page (n ≥ 2) when it has more URLs than one sitemap holds.",
            ["lastEventId"] = "Resume after this event id (as the Last-Event-ID header does): every later event is sent once.",
        }.ToFrozenDictionary(StringComparer.Ordinal);

        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (string.IsNullOrEmpty(parameter.Description) && parameter.Name is { } name && Descriptions.TryGetValue(name, out var description))
                {
                    parameter.Description = description;
                }
            }
        }
    }

    /// <summary>
    /// Request properties that the type's validator always demands (NotNull or NotEmpty without a condition, not per item) are
    /// required and not nullable, so the document says what a 400 would otherwise tell a client afterwards.
    /// </summary>
    private sealed class ValidatorRequiredSchemaFilter(IServiceProvider services) : ISchemaFilter
    {
        private static readonly FrozenDictionary<Type, Type> Validators = AssemblyScanner
            .FindValidatorsInAssembly(typeof(OpenApiExtensions).Assembly, includeInternalTypes: true)
            .ToFrozenDictionary(found => found.InterfaceType.GetGenericArguments()[0], found => found.ValidatorType);

        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema { Properties: { Count: > 0 } properties } target
                || !Validators.TryGetValue(context.Type, out var validatorType))
            {
                return;
            }
            var validator = (IValidator)Activator.CreateInstance(validatorType, [.. validatorType.GetConstructors().Single().GetParameters().Select(Argument)])!;
            var demanded = validator.CreateDescriptor().Rules
                .Where(rule => rule.PropertyName is not null && !rule.HasCondition && !rule.HasAsyncCondition
                    && !rule.GetType().GetInterfaces().Any(type => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ICollectionRule<,>))
                    && rule.Components.Any(component =>
                    component.Validator is INotNullValidator or INotEmptyValidator && !component.HasCondition && !component.HasAsyncCondition))
                .Select(rule => JsonNamingPolicy.CamelCase.ConvertName(rule.PropertyName!));
            foreach (var name in demanded)
            {
                if (properties.TryGetValue(name, out var property))
                {
                    target.Required ??= new HashSet<string>(StringComparer.Ordinal);
                    target.Required.Add(name);
                    if (property is OpenApiSchema { Type: { } type } concrete)
                    {
                        concrete.Type = type & ~JsonSchemaType.Null;
                    }
                }
            }
        }

        /// <summary>
        /// A validator's rules are declared in its constructor and its database only serves checks made while validating,
        /// so describing it needs no database: the document is also written by the `openapi` command, which has none.
        /// </summary>
        private object Argument(System.Reflection.ParameterInfo parameter) => parameter.ParameterType == typeof(Database.HeadlessNewsDbContext)
            ? System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(parameter.ParameterType)
            : services.GetRequiredService(parameter.ParameterType);
    }

    /// <summary>
    /// Request bodies' schemas, and the schemas they are made of, admit properties they do not name, as the API does
    /// (unknown request properties are ignored): closed, they made a client that checks its requests against the document
    /// refuse valid ones. Schemas only responses use stay closed, so a test fails when a response grows an undocumented property.
    /// </summary>
    private sealed class OpenRequestSchemasDocumentFilter : IDocumentFilter
    {
        public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
        {
            if (swaggerDoc.Components?.Schemas is not { } schemas)
            {
                return;
            }
            var opened = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<IOpenApiSchema>(swaggerDoc.Paths.Values.SelectMany(path => path.Operations?.Values.AsEnumerable() ?? [])
                .SelectMany(operation => operation.RequestBody?.Content?.Values.AsEnumerable() ?? []).Select(media => media.Schema).OfType<IOpenApiSchema>());
            while (pending.TryPop(out var schema))
            {
                if (schema is OpenApiSchemaReference reference)
                {
                    if (reference.Reference.Id is { } id && opened.Add(id) && schemas.TryGetValue(id, out var named))
                    {
                        pending.Push(named);
                    }
                    continue;
                }
                if (schema is OpenApiSchema concrete)
                {
                    concrete.AdditionalPropertiesAllowed = true;
                }
                foreach (var part in (schema.Properties?.Values.AsEnumerable() ?? []).Concat(schema.AllOf ?? []).Concat(schema.OneOf ?? []).Concat(schema.AnyOf ?? [])
                    .Append(schema.Items).OfType<IOpenApiSchema>())
                {
                    pending.Push(part);
                }
            }
        }
    }

    /// <summary>
    /// The problems an operation can answer, by the shape of its route, so no handler has to list them: every route
    /// 400, 401 (a presented key that is unknown, revoked or expired), 429 and 503; 403 where a key is needed; 404 where
    /// the path names a resource; 413 and 415 where a body is read. Conditional writes, idempotent creates and
    /// delivery caching add theirs through <see cref="Versioning.ProducesWriteProblems"/>,
    /// <see cref="Idempotency.WithIdempotency"/> and <see cref="DeliveryHttpExtensions.CacheDelivery"/>.
    /// </summary>
    private sealed class ProblemResponsesOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var problem = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
            var description = context.ApiDescription;
            var metadata = description.ActionDescriptor.EndpointMetadata;
            var needsKey = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
            operation.Responses ??= [];

            void Add(int status, string text)
            {
                var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!operation.Responses.ContainsKey(key))
                {
                    operation.Responses[key] = new OpenApiResponse
                    {
                        Description = text,
                        Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } },
                    };
                }
            }

            Add(400, "The request is malformed or invalid (problem with errors by field).");
            Add(401, needsKey ? "No API key, or one that is unknown, revoked or expired." : "A key was presented that is unknown, revoked or expired.");
            if (needsKey)
            {
                Add(403, "The API key lacks the scope this operation needs.");
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            }
            if (description.RelativePath?.Contains('{', StringComparison.Ordinal) == true)
            {
                Add(404, "Nothing with this id or slug.");
            }
            if (description.HttpMethod is "POST" or "PUT")
            {
                Add(413, "The body is larger than the limit.");
                Add(415, "The body is not JSON (application/json).");
            }
            Add(429, "Too many requests; see Retry-After.");
            Add(503, "The database is unavailable; see Retry-After.");
        }
    }
}

/// <summary>Whether a Production deployment serves its OpenAPI document and Swagger UI (other environments always do).</summary>
public sealed class OpenApiOptions
{
    public const string Section = "OpenApi";

    public bool Expose { get; set; }
}
