using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HeadlessNews.Api.Infrastructure.Operations;

public static class OperationsExtensions
{
    /// <summary>
    /// OpenTelemetry metrics (ASP.NET Core, HttpClient, Npgsql) for Prometheus scraping, and, when an OTLP endpoint is
    /// configured, metrics and traces exported there. Without an exporter nothing would read a trace, so none is recorded:
    /// recording them costs about a quarter of the throughput of an uncached read.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OperationsOptions>().Configure<IConfiguration>((operations, settings) =>
            operations.MetricsNetworks = ConfigurationLists.Read(settings, $"{OperationsOptions.Section}:{nameof(OperationsOptions.MetricsNetworks)}"))
            .ValidateDataAnnotations().ValidateOnStart();
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("headlessnews-api"))
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsqlInstrumentation().AddMeter("System.Runtime", "HeadlessNews.*").AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsql().AddOtlpExporter());
        }
        return services;
    }

    /// <summary>The start-up warm-up (see <see cref="StartupWarmUp"/>), which <c>/health/ready</c> waits for.</summary>
    public static IServiceCollection AddStartupWarmUp(this IServiceCollection services)
    {
        services.AddOptions<WarmUpOptions>().BindConfiguration(WarmUpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StartupWarmUp>();
        services.AddHostedService(provider => provider.GetRequiredService<StartupWarmUp>());
        services.AddHealthChecks().AddCheck<StartupWarmUp>("warm-up", tags: ["ready"]);
        return services;
    }

    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Operations");
        // Degraded is ready: the node serves delivery (say, from the standby while the primary is down), and the body says
        // which check is degraded. Unhealthy is not: the node could not serve delivery, or not yet.
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteHealthAsync,
        }).WithTags("Operations");
        var metricsNetworks = app.Services.GetRequiredService<IOptions<OperationsOptions>>().Value.MetricsNetworks.Select(IPNetwork.Parse).ToArray();
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, optionsName: null, configureBranchedPipeline: metrics => metrics.Use((context, next) =>
            ClientAddresses.IsLoopbackOrIn(context.Connection.RemoteIpAddress, metricsNetworks)
                ? next(context)
                : Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
                    $"Metrics are served to loopback and to {OperationsOptions.Section}:{nameof(OperationsOptions.MetricsNetworks)} only.")));
        return app;
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString().ToLowerInvariant()),
        });
    }
}

/// <summary>Who may read <c>/metrics</c> besides loopback: CIDR networks (<c>Operations:MetricsNetworks</c>), none by default.</summary>
public sealed class OperationsOptions : IValidatableObject
{
    public const string Section = "Operations";

    public string[] MetricsNetworks { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        ClientAddresses.InvalidNetworks(MetricsNetworks, $"{Section}:{nameof(MetricsNetworks)}");
}
