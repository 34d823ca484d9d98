using FluentValidation;
using HeadlessNews.Api.Features.ApiKeys;
using HeadlessNews.Api.Features.Articles;
using HeadlessNews.Api.Features.Audit;
using HeadlessNews.Api.Features.Authors;
using HeadlessNews.Api.Features.Delivery;
using HeadlessNews.Api.Features.Feeds;
using HeadlessNews.Api.Features.Imports;
using HeadlessNews.Api.Features.Media;
using HeadlessNews.Api.Features.Notices;
using HeadlessNews.Api.Features.People;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Redirects;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Features.Sources;
using HeadlessNews.Api.Features.Tips;
using HeadlessNews.Api.Features.Webhooks;
using HeadlessNews.Api.Infrastructure.Cli;
using HeadlessNews.Api.Infrastructure.Domain;
using HeadlessNews.Api.Infrastructure.Leases;
using HeadlessNews.Api.Infrastructure.Mapping;
using HeadlessNews.Api.Infrastructure.Operations;

var commandLine = new CommandLine(ApiKeyCommands.Verb, WordPressImportCommand.Verb);
var isCommand = commandLine.IsCommand(args);
var builder = WebApplication.CreateBuilder(commandLine.HostArguments(args));
if (isCommand)
{
    builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
}

builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Services.AddHttpInputLimits();
builder.Services.AddClientAddresses();
builder.Services.AddRequestLogging();
builder.Services.AddSingleton<TimeProvider>(PostgresClock.Instance);
builder.Services.AddHeadlessNewsDatabase();
builder.Services.AddNodeLeases();
builder.Services.AddDeliveryReadModel();
builder.Services.AddLiveBlogs();
builder.Services.AddSearch();
builder.Services.AddSingleton<IArticleUsage, ArticleUsage>();
builder.Services.AddTokenSigning();
builder.Services.AddSingleton<ApiKeyMint>();
builder.Services.AddSingleton<IDatabaseStartupTask>(provider => provider.GetRequiredService<ApiKeyMint>());
builder.Services.AddSingleton<IDatabaseStartupTask, BootstrapAdminKey>();
builder.Services.AddSingleton<IDatabaseStartupTask, SampleContentSeeder>();
builder.Services.AddSingleton<IDatabaseStartupTask, NoticeSampleContent>();
builder.Services.AddApiKeySecurity(builder.Configuration);
builder.Services.AddHostedService<ChangeFeedRecorder>();
builder.Services.AddSingleton<IContentShownAgain, ChangeFeedUpserts>();
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = Problems.Complete);
builder.Services.AddSingleton<IProblemDetailsWriter, ProblemWriterForAnyAccept>();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
builder.Services.AddRequestValidators();
builder.Services.AddHeadlessNewsMapping();
builder.Services.AddDeliveryHttp();
builder.Services.AddHeadlessNewsOpenApi();
builder.Services.AddTelemetry(builder.Configuration);
builder.Services.AddStartupWarmUp();
builder.Services.AddWebhooks();
builder.Services.AddMedia();
builder.Services.AddTips();

var app = builder.Build();
if (isCommand)
{
    // Only `openapi` needs the routes: an import without them loads and compiles ~16 MB less (bench/wordpress/README.md).
    return await commandLine.RunAsync(app, args, MapHttp);
}
MapHttp(app);
await app.RunAsync();
return 0;

static void MapHttp(WebApplication app)
{
    app.UseClientAddresses();
    app.UseRequestLogging();
    app.UseHeadAsGet();
    app.UseExceptionHandler();
    app.UseReadRetryAfterBrokenConnections();
    app.UsePrivateManagementResponses();
    app.UseStatusCodePages();
    app.UseSecurityHeaders();
    app.UseRequestLimits();
    app.UseHeadlessNewsOpenApi();
    app.UseRouting();
    app.UseHotRenditions();
    app.UseCorsVaryingByOrigin();
    app.UseManagementAudit();
    app.UseAuthentication();
    app.UseRejectionOfInvalidKeys();
    app.UseRequestTimeouts();
    app.UseDeliveryOutputCache();
    app.UseRateLimits();
    app.UseDeliveryCaching();
    app.UseAuthorization();
    app.UseIdempotency();

    app.MapOperations();
    var v1 = app.MapGroup("/v1").RequireTimestampOffsets();
    var manage = v1.MapGroup("/manage").RequireAuthorization().WithRequestValidation().WithNoBodyButJson().WithContributorRule();
    manage.MapMe();
    manage.MapApiKeys();
    manage.MapAudit();
    manage.MapSections();
    manage.MapAuthors();
    manage.MapTerms();
    manage.MapQuotes();
    manage.MapSources();
    manage.MapArticles();
    manage.MapLiveBlogEntries();
    manage.MapAssets();
    manage.MapArticlePresence();
    v1.MapArticlePreview();
    manage.MapNotices();
    manage.MapWebhooks();
    manage.MapTipManagement();
    manage.MapRedirects();
    v1.MapTips();
    v1.MapChangeFeed();
    v1.MapRenditions();
    app.MapFeeds();
    app.MapArchiveSitemaps();
    var delivery = v1.MapGroup("").WithTags("Delivery").CacheDelivery();
    delivery.MapArticleDelivery();
    delivery.MapLiveBlogDelivery();
    v1.MapLiveBlogStream();
    delivery.MapReferenceDelivery();
    delivery.MapNoticeDelivery();
    delivery.MapSearch();
    delivery.MapRedirectDelivery();
}
