using System.Text;
using System.Text.RegularExpressions;
using HeadlessNews.Api.Features.Notices;
using HeadlessNews.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HeadlessNews.Tests.Notices;

public sealed class NoticeSearchVectorTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_search_vector_folds_accents_and_weights_title_above_body()
    {
        var desk = await api.ClientWithScopesAsync("notices:write");
        var issuer = NoticeRequests.UniqueIssuer("Search council");
        var request = NoticeRequests.Valid(issuer);
        request["title"] = "Premises licence: Caffi'r Môr, Llandudno promenade";
        request["body"] = "<p>Application to sell alcohol at the <strong>harbourside</strong> kiosk.</p>";
        var notice = await desk.CreateAsync(request);
        var id = Guid.Parse(notice.Id());

        var vector = await api.WithDbAsync(db => db.Database
            .SqlQuery<string>($"SELECT search_vector::text AS \"Value\" FROM notices WHERE id = {id}").SingleAsync());
        Assert.Matches(new Regex(@"'mor':[0-9,]*[0-9]+A"), vector);
        Assert.Matches(new Regex(@"'harboursid':[0-9]+B"), vector);
        Assert.DoesNotContain("strong", vector, StringComparison.Ordinal);

        var found = await api.WithDbAsync(db => db.Database.SqlQuery<Guid>($"""
            SELECT id AS "Value" FROM notices
            WHERE search_vector @@ websearch_to_tsquery('english', hn_unaccent({"môr licence"})) AND issuer_name = {issuer}
            """).ToListAsync());
        Assert.Equal([id], found);
        var unaccentedQuery = await api.WithDbAsync(db => db.Database.SqlQuery<Guid>($"""
            SELECT id AS "Value" FROM notices
            WHERE search_vector @@ websearch_to_tsquery('english', hn_unaccent({"mor"})) AND issuer_name = {issuer}
            """).ToListAsync());
        Assert.Equal([id], unaccentedQuery);
    }

    [Fact]
    public async Task A_body_far_beyond_the_tsvector_limit_is_still_stored_because_the_indexed_text_is_capped()
    {
        var random = new Random(4);
        var body = new StringBuilder("<p>");
        while (body.Length < 2_000_000)
        {
            for (var i = 0; i < 7; i++)
            {
                body.Append((char)('a' + random.Next(26)));
            }
            body.Append(' ');
        }
        var issuer = NoticeRequests.UniqueIssuer("Huge body council");
        await api.WithDbAsync(async db =>
        {
            var now = NoticeMapping.AsStored(api.Clock.GetUtcNow());
            db.Set<Notice>().Add(new Notice
            {
                Id = Guid.CreateVersion7(), Reference = "HUGE/1", Category = NoticeCategory.Other, Title = "A very long notice",
                Body = body.Append("</p>").ToString(), IssuerName = issuer, Status = NoticeStatus.Draft, Version = 1, CreatedAt = now, UpdatedAt = now,
            });
            return await db.SaveChangesAsync();
        });

        var lexemes = await api.WithDbAsync(db => db.Database
            .SqlQuery<int>($"SELECT length(search_vector) AS \"Value\" FROM notices WHERE issuer_name = {issuer}").SingleAsync());
        Assert.InRange(lexemes, 1_000, 20_000);
    }
}
