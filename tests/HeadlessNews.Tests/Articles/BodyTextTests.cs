using HeadlessNews.Api.Features.Articles.Blocks;
using HeadlessNews.Api.Features.Quotes;
using HeadlessNews.Api.Features.Sources;

namespace HeadlessNews.Tests.Articles;

/// <summary>The plain text of a rendered body (what search indexes and snippets quote), read without an HTML parser.</summary>
public sealed class BodyTextTests
{
    [Fact]
    public void Words_in_adjacent_blocks_and_list_items_stay_apart_and_entities_are_decoded()
    {
        var html = BodyHtml.Render(
        [
            new Block { Type = BlockTypes.Paragraph, Html = "Harbour <strong>fees</strong> rise &amp; fall <em>today</em>" },
            new Block { Type = BlockTypes.Heading, Level = 2, Text = "What <the> council said" },
            new Block { Type = BlockTypes.List, Style = BlockTypes.Bulleted, Items = ["Moorings", "Slipway&nbsp;fees"] },
            new Block { Type = BlockTypes.Image, Url = "https://example.org/quay.jpg?a=1&b=2", Alt = "The quay > the slip", Caption = "Low tide", Credit = "Ceri Hughes" },
        ], new Dictionary<Guid, QuoteResponse>(), new Dictionary<Guid, SourceResponse>());

        Assert.Equal("Harbour fees rise & fall today \nWhat <the> council said\n Moorings Slipway\u00a0fees \n  Low tide Ceri Hughes", BodyHtml.PlainText(html));
    }

    [Fact]
    public void A_greater_than_sign_in_a_link_s_attributes_is_encoded_so_it_does_not_end_the_tag_early()
    {
        var html = BodyHtml.Render(
            [new Block { Type = BlockTypes.Paragraph, Html = "See <a href=\"https://example.org/?q=a>b\" title='x > y'>the plan</a> online" }],
            new Dictionary<Guid, QuoteResponse>(), new Dictionary<Guid, SourceResponse>());

        Assert.Equal("See the plan online", BodyHtml.PlainText(html));
    }
}
