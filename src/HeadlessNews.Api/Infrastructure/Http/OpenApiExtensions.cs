using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace HeadlessNews.Api.Infrastructure.Http;

public static class OpenApiExtensions
{
    public const string DocumentName = "v1";
    public const string DocumentRoute = "/openapi/v1.json";
    private const string BearerScheme = "Bearer";

    public static IServiceCollection AddHeadlessNewsOpenApi(this IServiceCollection services)
    {
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
            options.SupportNonNullableReferenceTypes();
        });
        return services;
    }

    public static WebApplication UseHeadlessNewsOpenApi(this WebApplication app)
    {
        app.UseSwagger(options => options.RouteTemplate = "openapi/{documentName}.json");
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint(DocumentRoute, "HeadlessNews API v1");
            options.RoutePrefix = "swagger";
        });
        return app;
    }

    /// <summary>Describes the problem responses every operation may give, and the Bearer requirement where a key is needed.</summary>
    private sealed class ProblemResponsesOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var problem = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
            var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
            var needsKey = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
            operation.Responses ??= [];

            void Add(int status, string description)
            {
                var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!operation.Responses.ContainsKey(key))
                {
                    operation.Responses[key] = new OpenApiResponse
                    {
                        Description = description,
                        Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } },
                    };
                }
            }

            Add(400, "The request is malformed or invalid (problem with errors by field).");
            if (needsKey)
            {
                Add(401, "No API key, or one that is unknown, revoked or expired.");
                Add(403, "The API key lacks the scope this operation needs.");
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            }
            Add(429, "Too many requests; see Retry-After.");
            Add(503, "The database is unavailable; see Retry-After.");
        }
    }
}
