using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Authors;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sections;
using HeadlessNews.Api.Features.Sources;
using HeadlessNews.Api.Infrastructure.Domain;

namespace HeadlessNews.Api.Features.Articles;

/// <summary>
/// Fills an empty database with invented North Wales local news (sections, authors, sources, quotes and five
/// published stories, one scheduled) so a newcomer has something to look at. Runs for the embedded database,
/// or when Database:SeedSampleContent is true; never when any article or section exists.
/// </summary>
public sealed class SampleContentSeeder(
    IServiceScopeFactory scopes, DatabaseEndpoint endpoint, IOptions<DatabaseOptions> options, TimeProvider clock, ILogger<SampleContentSeeder> logger) : IDatabaseStartupTask
{
    private static readonly Caller Seeder = new(null, "sample content", null);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!(options.Value.SeedSampleContent ?? endpoint.IsEmbedded))
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        if (await db.Set<Article>().AnyAsync(cancellationToken) || await db.Set<Section>().AnyAsync(cancellationToken))
        {
            return;
        }
        await SeedAsync(db, clock.Now(), cancellationToken);
        logger.LogInformation("Seeded fictional sample content into the empty database.");
    }

    private async Task SeedAsync(HeadlessNewsDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var news = await AddSectionAsync(db, "news", "News", "What is happening across North Wales.", cancellationToken);
        var sport = await AddSectionAsync(db, "sport", "Sport", "Results, fixtures and the people behind them.", cancellationToken);
        var politics = await AddSectionAsync(db, "politics", "Politics", "Councils, the Senedd and the decisions that shape our towns.", cancellationToken);

        var ceri = await AddAuthorAsync(db, "Ceri Hughes", "Local democracy reporter", "Ceri covers council meetings from Conwy to Anglesey.", cancellationToken);
        var gethin = await AddAuthorAsync(db, "Gethin Parry", "Sports reporter", "Gethin has followed grassroots football on the coast for a decade.", cancellationToken);
        var nia = await AddAuthorAsync(db, "Nia Roberts", "News editor", "Nia edits the daily news list.", cancellationToken);

        var pierRelease = await AddSourceAsync(db, SourceKind.PressRelease, "Pier deck repairs complete ahead of Easter", "Llandudno Promenade Trust", "https://example.org/promenade-trust/pier-repairs", new DateOnly(2026, 3, 2), cancellationToken);
        var harbourReport = await AddSourceAsync(db, SourceKind.Report, "Harbour moorings review 2026", "Afon Conwy Harbour Board", "https://example.org/harbour-board/moorings-review-2026", new DateOnly(2026, 2, 18), cancellationToken);
        var treeData = await AddSourceAsync(db, SourceKind.Dataset, "Community tree planting register", "Môn Woodland Network", "https://example.org/mon-woodland/register", new DateOnly(2026, 1, 10), cancellationToken);

        var pierQuote = await AddQuoteAsync(db, "The storm took forty planks in one night, but the volunteers had the deck open again in six weeks.", "Siân Morgan", "Pier manager", "Llandudno Promenade Trust", pierRelease.Id, cancellationToken);
        var harbourQuote = await AddQuoteAsync(db, "Nobody wants to price local fishermen out of their own harbour.", "Dafydd Evans", "Board chair", "Afon Conwy Harbour Board", harbourReport.Id, cancellationToken);
        var coachQuote = await AddQuoteAsync(db, "We were down to ten players and still found a way. I could not be prouder.", "Meinir Jones", "Head coach", "Bangor Bay Ladies FC", null, cancellationToken);
        var pupilQuote = await AddQuoteAsync(db, "In twenty years this hillside will be a wood, and we planted it.", "Osian Lloyd", "Year 6 pupil", "Ysgol Bryn Eithin", null, cancellationToken);

        await AddArticleAsync(db, news, [nia], ["Storms", "Tourism"], ["Llandudno"], [pierRelease.Id],
            "Llandudno pier reopens after winter storm repairs",
            "Volunteers replaced forty deck planks in six weeks.",
            [
                Paragraph("The pier reopened on Saturday morning after <strong>six weeks</strong> of repairs to storm damage."),
                Quote(pierQuote),
                Paragraph("Stalls at the far end will reopen in stages over the Easter holidays."),
                Sources("Sources", pierRelease.Id),
            ],
            now.AddDays(-3), cancellationToken);
        await AddArticleAsync(db, politics, [ceri], ["Harbours", "Council fees"], ["Conwy"], [harbourReport.Id],
            "Harbour board agrees smaller rise in Conwy mooring fees",
            "Fees will rise by four per cent rather than the twelve first proposed.",
            [
                Paragraph("Members of the harbour board voted on Tuesday to limit next year's rise in mooring fees."),
                Heading(2, "What changes"),
                List(BlockTypes.Bulleted, "Annual moorings up four per cent", "Visitor moorings unchanged", "A new discount for working boats"),
                Quote(harbourQuote),
            ],
            now.AddDays(-2), cancellationToken);
        await AddArticleAsync(db, sport, [gethin], ["Women's football", "County cup"], ["Bangor"], [],
            "Ten-player Bangor Bay Ladies win county cup in extra time",
            "A late header settled a final played in driving rain.",
            [
                Paragraph("Bangor Bay Ladies lifted the county cup after a 2-1 win over Caergybi Athletic."),
                Quote(coachQuote),
            ],
            now.AddDays(-1), cancellationToken);
        await AddArticleAsync(db, news, [ceri, nia], ["Environment", "Schools"], ["Anglesey", "Llangefni"], [treeData.Id],
            "Pŵer y plant: pupils plant 500 trees on an Anglesey hillside",
            "Year 6 at Ysgol Bryn Eithin spent a week planting native oak and rowan.",
            [
                Paragraph("Pupils planted five hundred saplings on land lent by a local farm."),
                Quote(pupilQuote),
                Image("https://example.org/images/tree-planting.jpg", "Pupils in wellies planting saplings on a slope", "Planting day above Llangefni", "Môn Woodland Network"),
            ],
            now.AddHours(-6), cancellationToken);
        await AddArticleAsync(db, news, [nia], ["Roads"], ["Betws-y-Coed"], [],
            "Betws-y-Coed footbridge to close for three weeks of repairs",
            "Walkers will be diverted over the road bridge while the deck is replaced.",
            [Paragraph("The footbridge over the river will close from Monday while contractors replace its timber deck.")],
            now.AddDays(2), cancellationToken);
    }

    private async Task<Section> AddSectionAsync(HeadlessNewsDbContext db, string slug, string name, string description, CancellationToken cancellationToken) =>
        Written(await SectionWrites.CreateAsync(db, clock, new SaveSectionRequest(name, slug, description), cancellationToken));

    private async Task<Author> AddAuthorAsync(HeadlessNewsDbContext db, string name, string role, string bio, CancellationToken cancellationToken) =>
        Written(await AuthorWrites.CreateAsync(db, clock, new SaveAuthorRequest(name, null, role, bio), cancellationToken));

    private async Task<Source> AddSourceAsync(
        HeadlessNewsDbContext db, SourceKind kind, string title, string publisher, string url, DateOnly publishedOn, CancellationToken cancellationToken) =>
        Written(await SourceWrites.CreateAsync(db, clock, new SaveSourceRequest(kind, title, publisher, url, publishedOn, null), cancellationToken));

    private async Task<Quote> AddQuoteAsync(
        HeadlessNewsDbContext db, string text, string speaker, string role, string organisation, Guid? sourceId, CancellationToken cancellationToken) =>
        Written(await QuoteWrites.CreateAsync(db, clock, new SaveQuoteRequest(text, new Speaker(speaker, role, organisation), null, null, sourceId, null), cancellationToken));

    /// <summary>Creates and publishes (or schedules) a story through the same write path as the API.</summary>
    private async Task AddArticleAsync(
        HeadlessNewsDbContext db, Section section, Author[] authors, string[] tags, string[] places, Guid[] sourceIds,
        string headline, string standfirst, Block[] body, DateTimeOffset publishAt, CancellationToken cancellationToken)
    {
        var draft = Written(await ArticleWrites.CreateAsync(db, clock, Seeder,
            new SaveArticleRequest(headline, null, standfirst, body, section.Slug, tags, places, [.. authors.Select(a => a.Slug)], sourceIds, null, null, null),
            cancellationToken));
        Written(await ArticleWrites.PublishAsync(db, clock, Seeder, draft.Id, ExpectedVersion.Of(draft.Version), publishAt, cancellationToken));
    }

    /// <summary>Sample content is fixed: a refusal is a bug, and start-up should say so.</summary>
    private static T Written<T>(WriteResult<T> result) =>
        result.Refusal is { } refusal ? throw new InvalidOperationException($"Sample content was refused: {refusal}") : result.Value!;

    private static Block Paragraph(string html) => new() { Type = BlockTypes.Paragraph, Html = html };

    private static Block Heading(int level, string text) => new() { Type = BlockTypes.Heading, Level = level, Text = text };

    private static Block List(string style, params string[] items) => new() { Type = BlockTypes.List, Style = style, Items = items };

    private static Block Quote(Quote quote) => new() { Type = BlockTypes.Quote, QuoteId = quote.Id };

    private static Block Image(string url, string alt, string caption, string credit) => new() { Type = BlockTypes.Image, Url = url, Alt = alt, Caption = caption, Credit = credit };

    private static Block Sources(string title, params Guid[] sourceIds) => new() { Type = BlockTypes.SourceList, Title = title, SourceIds = sourceIds };
}
