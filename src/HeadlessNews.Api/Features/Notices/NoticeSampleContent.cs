
namespace HeadlessNews.Api.Features.Notices;

/// <summary>
/// Fictional North Wales notices (our own invented text) so a fresh embedded database, or one with
/// <c>Database:SeedSampleContent=true</c>, has something to deliver. Runs only while there are no notices.
/// </summary>
public sealed class NoticeSampleContent(
    IServiceScopeFactory scopes, DatabaseEndpoint endpoint, IOptions<DatabaseOptions> options, TimeProvider clock) : IDatabaseStartupTask
{
    private static readonly Caller SampleContent = new(null, "sample content", null);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!(options.Value.SeedSampleContent ?? endpoint.IsEmbedded))
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HeadlessNewsDbContext>();
        if (await db.Set<Notice>().AnyAsync(cancellationToken))
        {
            return;
        }
        foreach (var request in Samples(clock.Now()))
        {
            if ((await NoticeWrites.CreateAsync(db, clock, SampleContent, request, published: true, cancellationToken)).Refusal is { } refusal)
            {
                throw new InvalidOperationException($"Sample content was refused: {refusal}");
            }
        }
    }

    internal static IReadOnlyList<NoticeRequest> Samples(DateTimeOffset now)
    {
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return
        [
            new NoticeRequest(
                "0/52817", NoticeCategory.Planning,
                "Planning application: change of use of former bank to café and flats, Mostyn Street, Llandudno",
                """
                <p>Notice is given that an application has been made to Conwy County Borough Council for planning permission to
                convert the ground floor of the former bank at 114 Mostyn Street to a café, with three flats on the upper floors,
                and to replace the rear extension.</p>
                <p>The plans can be viewed online or at the Coed Pella offices, Colwyn Bay. Anyone who wishes to make
                representations should write to the Head of Planning within 21 days of this notice.</p>
                """,
                new NoticeIssuer("Conwy County Borough Council"),
                new NoticeLocation("114 Mostyn Street, Llandudno", "LL30 2SB", 53.3226, -3.8277),
                null, null, today.AddDays(21),
                [new NoticeAttachment("Site plan (PDF)", "https://planning.example.gov.uk/0-52817/site-plan.pdf")]),
            new NoticeRequest(
                "TRO/2026/114", NoticeCategory.TrafficAndRoads,
                "Temporary road closure: Rosemary Lane, Conwy, for sewer repairs",
                """
                <p>Rosemary Lane, Conwy, will be closed to all vehicles between its junctions with Castle Street and
                Bangor Road while sewer repairs are carried out.</p>
                <p>Pedestrian access to homes and businesses will be kept open. The signed diversion runs via Lancaster
                Square and Bangor Road.</p>
                """,
                new NoticeIssuer("Conwy County Borough Council"),
                new NoticeLocation("Rosemary Lane, Conwy", "LL32 8LT", 53.2806, -3.8300),
                today.AddDays(3), today.AddDays(17), null, []),
            new NoticeRequest(
                "LIC/PREM/2026/031", NoticeCategory.Licensing,
                "Premises licence application: Y Cei Bach, Garth Road, Bangor",
                """
                <p>Notice is given that Cei Bach Hospitality Ltd has applied to Gwynedd Council for a premises licence for
                Y Cei Bach, Garth Road, Bangor, to sell alcohol and play recorded music from 11:00 to 23:00 daily.</p>
                <p>Responsible authorities and any other person may make representations in writing to the licensing
                authority by the date shown. The register can be inspected by appointment.</p>
                """,
                new NoticeIssuer("Gwynedd Council"),
                new NoticeLocation("Garth Road, Bangor", "LL57 2RW", 53.2335, -4.1209),
                null, null, today.AddDays(28), []),
            new NoticeRequest(
                "DE/2026/0457", NoticeCategory.DeceasedEstates,
                "Deceased estate: Gwilym Arwel Pritchard, late of Llanfairfechan",
                """
                <p>Any person having a claim against the estate of Gwilym Arwel Pritchard, retired harbourmaster, late of
                Village Road, Llanfairfechan, who died on 2 September 2026, should send written details to the
                executors' solicitors, Parry &amp; Owen, High Street, Bangor, within two months of this notice, after which
                the estate will be distributed having regard only to claims then received.</p>
                """,
                new NoticeIssuer("Parry & Owen Solicitors"),
                new NoticeLocation("Village Road, Llanfairfechan", "LL33 0AA", 53.2547, -3.9749),
                null, today.AddMonths(2), today.AddMonths(2), []),
            new NoticeRequest(
                "EPR/AB1234CD", NoticeCategory.Environment,
                "Environmental permit application: composting site near Abergele",
                """
                <p>Greenfield Compost Cymru Ltd has applied to Natural Resources Wales for an environmental permit to
                operate an open-windrow composting facility at Tir Newydd, off the A547 west of Abergele, handling up to
                15,000 tonnes of green waste a year.</p>
                <p>Comments on the application may be made to Natural Resources Wales by the date shown.</p>
                """,
                new NoticeIssuer("Natural Resources Wales"),
                new NoticeLocation("Tir Newydd, off the A547, Abergele", "LL22 8DD", 53.2845, -3.6105),
                null, null, today.AddDays(30), []),
        ];
    }
}
