namespace HeadlessNews.Api.Infrastructure.Http;

public static class ConfigurationLists
{
    /// <summary>
    /// A list setting written either as an array (<c>Key:0</c>, <c>Key:1</c>, or JSON) or as one comma-separated value,
    /// which is what fits in a single environment variable.
    /// </summary>
    public static string[] Read(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(key);
        var values = section.GetChildren().Select(c => c.Value).ToList();
        if (values.Count == 0)
        {
            values.Add(section.Value);
        }
        return [.. values.SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
    }
}
