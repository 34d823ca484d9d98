using System.Text.Json;

namespace HeadlessNews.Tests.Support;

/// <summary>The members every managed resource the API answers with carries.</summary>
public static class JsonResources
{
    public static string Id(this JsonElement resource) => resource.GetProperty("id").GetString()!;

    public static int Version(this JsonElement resource) => resource.GetProperty("version").GetInt32();
}
