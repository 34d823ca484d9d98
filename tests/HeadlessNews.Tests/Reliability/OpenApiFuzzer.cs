using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HeadlessNews.Tests.Reliability;

/// <summary>One operation of the served OpenAPI document.</summary>
public sealed record FuzzOperation(string Method, string PathTemplate, JsonObject Operation)
{
    public string Name => Operation["operationId"]?.GetValue<string>() ?? $"{Method} {PathTemplate}";

    public IEnumerable<JsonObject> Parameters(string location) =>
        (Operation["parameters"]?.AsArray() ?? []).OfType<JsonObject>().Where(p => p["in"]?.GetValue<string>() == location);

    public JsonNode? BodySchema => Operation["requestBody"]?["content"]?["application/json"]?["schema"];
}

/// <summary>A request the fuzzer sends, kept in a form that can be printed and replayed.</summary>
public sealed record FuzzRequest(string Method, string Url, string? Authorization, IReadOnlyDictionary<string, string> Headers, string? ContentType, byte[]? Body)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), Url);
        if (Authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", Authorization);
        }
        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }
        return message;
    }

    public override string ToString()
    {
        var body = Body is null ? "(no body)" : Encoding.UTF8.GetString(Body);
        body = body.Length > 600 ? body[..600] + $"… ({Body!.Length} bytes)" : body;
        var headers = string.Join("; ", Headers.Select(h => $"{h.Key}: {Truncate(h.Value)}"));
        return $"{Method} {Truncate(Url)} [auth: {(Authorization is null ? "none" : Authorization[..Math.Min(12, Authorization.Length)] + "…")}] [{headers}] [Content-Type: {ContentType}] {body}";
    }

    private static string Truncate(string value) => value.Length > 300 ? value[..300] + $"… ({value.Length} chars)" : value;
}

/// <summary>
/// Generates random and mutated requests for operations of an OpenAPI 3.0 document: valid-looking bodies
/// built from the schemas and then broken, random JSON, garbage bytes, hostile query values and path ids.
/// </summary>
public sealed class OpenApiFuzzer(JsonObject document, Random random)
{
    private const string LoneSurrogateMarker = "__lone_surrogate__";
    private readonly JsonObject _schemas = document["components"]?["schemas"]?.AsObject() ?? [];

    /// <summary>Ids the API created, with the collection path they were created under (e.g. /v1/manage/articles).</summary>
    public List<(string Collection, Guid Id)> KnownIds { get; } = [];

    public List<string> KnownSlugs { get; } = [];

    /// <summary>A valid secret the fuzzer may also send as <c>?key=</c> where the API accepts one.</summary>
    public string? QueryKey { get; set; }

    public IEnumerable<FuzzOperation> Operations() =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(method => method.Key is "get" or "post" or "put" or "patch" or "delete")
            .Select(method => new FuzzOperation(method.Key.ToUpperInvariant(), path.Key, method.Value!.AsObject())));

    public FuzzRequest Generate(FuzzOperation operation, string? authorization)
    {
        var url = new StringBuilder(Path(operation));
        var query = Query(operation);
        if (query.Length > 0)
        {
            url.Append('?').Append(query);
        }
        var headers = new Dictionary<string, string>();
        if (operation.Method is "PUT" or "DELETE" or "POST" && Chance(0.7))
        {
            headers["If-Match"] = Pick("\"1\"", "\"1\"", "\"2\"", "*", "\"abc\"", "W/\"1\"", "1", "\"-1\"", "\"99999999999\"", "");
        }
        if (Chance(0.1))
        {
            headers["X-On-Behalf-Of"] = Pick("Ceri Jones", new string('o', 201), "Siân ap Dafydd", "Ceri\0Jones", "");
        }
        var (contentType, body) = Body(operation);
        return new FuzzRequest(operation.Method, url.ToString(), authorization, headers, contentType, body);
    }

    private string Path(FuzzOperation operation)
    {
        var path = operation.PathTemplate;
        var sameCollection = KnownIds.Where(k => path.StartsWith(k.Collection + "/", StringComparison.Ordinal)).Select(k => k.Id).ToList();
        foreach (var parameter in operation.Parameters("path"))
        {
            var name = parameter["name"]!.GetValue<string>();
            var isId = parameter["schema"]?["format"]?.GetValue<string>() == "uuid";
            var value = random.Next(10) switch
            {
                < 4 when isId && sameCollection.Count > 0 => sameCollection[random.Next(sameCollection.Count)].ToString(),
                < 4 when isId && KnownIds.Count > 0 => KnownIds[random.Next(KnownIds.Count)].Id.ToString(),
                < 4 when !isId && KnownSlugs.Count > 0 => KnownSlugs[random.Next(KnownSlugs.Count)],
                < 7 => Guid.NewGuid().ToString(),
                7 => Pick("0", "-1", "abc", "00000000-0000-0000-0000-000000000000", "9999999999", "null", "%20", "..", "%2e%2e", "%2F"),
                8 => Uri.EscapeDataString(Pick("Llandudno pier", "ñandú", "📰", "' OR 1=1 --", "<script>", new string('s', 300), "a/b")),
                _ => RandomToken(random.Next(1, 40)),
            };
            path = path.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }
        return path;
    }

    private string Query(FuzzOperation operation)
    {
        var pairs = new List<string>();
        foreach (var parameter in operation.Parameters("query"))
        {
            if (Chance(0.55))
            {
                var name = parameter["name"]!.GetValue<string>();
                pairs.Add(Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(QueryValue(name, parameter["schema"])));
            }
        }
        if (Chance(0.08))
        {
            pairs.Add(Uri.EscapeDataString(RandomToken(6)) + "=" + Uri.EscapeDataString(RandomToken(6)));
        }
        if (Chance(0.03))
        {
            pairs.Add("limit=1&limit=2");
        }
        var acceptsQueryKey = new[] { "/v1/feeds", "/v1/changes", "/sitemaps" }.Any(p => operation.PathTemplate.StartsWith(p, StringComparison.Ordinal));
        if (QueryKey is not null && acceptsQueryKey && Chance(0.3))
        {
            pairs.Add("key=" + Uri.EscapeDataString(Pick(QueryKey, "hn_" + RandomToken(43), "", "abc")));
        }
        return string.Join('&', pairs);
    }

    private string QueryValue(string name, JsonNode? schema)
    {
        schema = Resolve(schema);
        var type = schema?["type"]?.GetValue<string>();
        var format = schema?["format"]?.GetValue<string>();
        if (schema?["enum"] is JsonArray values && Chance(0.6))
        {
            return values[random.Next(values.Count)]?.ToString() ?? string.Empty;
        }
        if (Chance(0.15))
        {
            return Pick("", " ", "\0", "null", "undefined", "%", "' OR 1=1 --", "\"unclosed", "-", "*", "😀", new string('q', 2000), "a\u0301\u202e");
        }
        return (type, format) switch
        {
            ("integer", _) => Pick("1", "20", "100", "0", "-1", "101", "1000", "1e9", "2147483648", "-2147483649", "1.5", "abc", "0x10", "٣"),
            ("number", _) => Pick("0", "-0", "1.5", "-90.1", "1e308", "NaN", "Infinity", "abc"),
            ("boolean", _) => Pick("true", "false", "True", "1", "maybe"),
            ("string", "date-time") => Pick(
                "2026-11-28T09:30:00Z", "2015-07-02T09:30:00+01:00", "2026-11-28", "garbage", "2015-13-45T25:61:00Z",
                "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00", "-1", "1732786200", "2026-11-28T09:30:00.1234567890123Z"),
            ("string", "uuid") => Pick(Guid.NewGuid().ToString(), "abc", "00000000-0000-0000-0000-000000000000"),
            _ when name.Contains("cursor", StringComparison.OrdinalIgnoreCase) || name == "since" => Pick(
                "abc", "bm90LWEtY3Vyc29y.AAAA", "eyJhIjoxfQ.c2lnbmF0dXJl", ".", "..", "AAAA.", Convert.ToBase64String(RandomBytes(48)), RandomToken(120)),
            _ when name == "near" => Pick("53.32,-3.83", "abc", "91,0", "53.32", "53.32,-3.83,1", ",", "NaN,NaN", "1e400,0"),
            _ => random.Next(4) switch
            {
                0 when KnownSlugs.Count > 0 => KnownSlugs[random.Next(KnownSlugs.Count)],
                1 => RandomText(random.Next(1, 30)),
                2 => Pick("articles,notices", "quotes", "bogus", "news", "planning", "llandudno", "\"Conwy bridge\" -closed", "or", "&", "!!!", "a:*"),
                _ => RandomToken(random.Next(1, 20)),
            },
        };
    }

    private (string? ContentType, byte[]? Body) Body(FuzzOperation operation)
    {
        var schema = operation.BodySchema;
        if (schema is null && operation.Method is not ("POST" or "PUT" or "PATCH"))
        {
            return Chance(0.05) ? ("application/json", "{}"u8.ToArray()) : (null, null);
        }
        var contentType = random.Next(100) switch
        {
            < 85 => "application/json",
            < 88 => "application/json; charset=utf-8",
            89 => "text/plain",
            90 => "application/x-www-form-urlencoded",
            91 => "application/json; charset=bogus",
            92 => "application/json; charset=\"utf-16\"",
            93 => "multipart/form-data; boundary=x",
            94 => "application/problem+json",
            95 => "application/json; charset",
            96 => "application/*",
            _ => null,
        };
        var body = random.Next(100) switch
        {
            < 12 when schema is not null => Serialize(Valid(schema, 0)),
            < 65 when schema is not null => Serialize(Mutate(Valid(schema, 0))),
            < 80 => Serialize(RandomJson(0)),
            < 97 => Garbage(),
            _ => null,
        };
        return (contentType, body);
    }

    private static byte[] Serialize(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return Encoding.UTF8.GetBytes(text.Replace(LoneSurrogateMarker, "\\ud800", StringComparison.Ordinal));
    }

    private byte[] Garbage() => random.Next(17) switch
    {
        15 => Encoding.UTF8.GetBytes("{\"headline\": \"" + new string('h', (1024 * 1024) + 10) + "\"}"),
        0 => [],
        1 => "{"u8.ToArray(),
        2 => "{\"headline\": \"Conwy"u8.ToArray(),
        3 => [0xFF, 0xFE, 0x7B, 0x7D],
        4 => [.. "{\"name\": \""u8.ToArray(), 0xC3, 0x28, .. "\"}"u8.ToArray()],
        5 => Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)),
        6 => "/* comment */ {\"a\": 1,}"u8.ToArray(),
        7 => "{\"a\": 1, \"a\": 2}"u8.ToArray(),
        8 => Encoding.UTF8.GetBytes("{\"n\": 1" + new string('0', 400) + "}"),
        9 => [0xEF, 0xBB, 0xBF, .. "{}"u8.ToArray()],
        10 => Encoding.Unicode.GetBytes("{\"headline\": \"Bangor\"}"),
        11 => "nul"u8.ToArray(),
        12 => RandomBytes(random.Next(1, 200)),
        13 => "\"just a string\""u8.ToArray(),
        14 => "{\"\\u0000\": \"\\u0000\"}"u8.ToArray(),
        _ => Encoding.UTF8.GetBytes("{\"body\": " + new string('[', 40) + new string(']', 40) + "}"),
    };

    /// <summary>A value that satisfies the schema's shape (not necessarily its business rules).</summary>
    private JsonNode? Valid(JsonNode? schema, int depth, string? name = null)
    {
        schema = Resolve(schema);
        if (schema is null || depth > 6)
        {
            return null;
        }
        if ((schema["oneOf"] ?? schema["anyOf"]) is JsonArray choices && choices.Count > 0)
        {
            return Valid(choices[random.Next(choices.Count)], depth + 1, name);
        }
        if (schema["allOf"] is JsonArray parts)
        {
            var merged = new JsonObject();
            foreach (var part in parts)
            {
                if (Valid(part, depth + 1, name) is JsonObject partObject)
                {
                    foreach (var (key, value) in partObject.ToList())
                    {
                        partObject.Remove(key);
                        merged[key] = value;
                    }
                }
            }
            return merged;
        }
        if (schema["enum"] is JsonArray values && values.Count > 0)
        {
            return values[random.Next(values.Count)]?.DeepClone();
        }
        var type = schema["type"]?.GetValue<string>();
        if (type == "object" || schema["properties"] is not null)
        {
            var result = new JsonObject();
            var required = (schema["required"]?.AsArray() ?? []).Select(r => r!.GetValue<string>()).ToHashSet();
            foreach (var (property, propertySchema) in schema["properties"]?.AsObject() ?? [])
            {
                if (required.Contains(property) || Chance(0.7))
                {
                    result[property] = Valid(propertySchema, depth + 1, property);
                }
            }
            return result;
        }
        return type switch
        {
            "array" => new JsonArray([.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => Valid(schema["items"], depth + 1, Singular(name)))]),
            "integer" => JsonValue.Create(random.Next(1, 5)),
            "number" => JsonValue.Create(Math.Round((random.NextDouble() * 10) + 50, 4)),
            "boolean" => JsonValue.Create(Chance(0.5)),
            "string" => JsonValue.Create(ValidString(schema["format"]?.GetValue<string>(), name)),
            _ => null,
        };
    }

    private static string? Singular(string? name) => name?.EndsWith('s') == true ? name[..^1] : name;

    private string ValidString(string? format, string? name)
    {
        var lower = name?.ToLowerInvariant() ?? string.Empty;
        return format switch
        {
            "date-time" => DateTimeOffset.UtcNow.AddDays(random.Next(-400, 30)).ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture),
            "date" => DateTimeOffset.UtcNow.AddDays(-random.Next(0, 400)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "uuid" => (KnownIds.Count > 0 && Chance(0.5) ? KnownIds[random.Next(KnownIds.Count)].Id : Guid.NewGuid()).ToString(),
            "uri" or "url" => $"https://news.example.test/{RandomToken(8)}",
            _ when lower.Contains("url", StringComparison.Ordinal) => $"https://news.example.test/{RandomToken(8)}",
            _ when lower is "scope" or "scopes" => Pick("*", "content:write", "content:publish", "notices:write", "feeds:partner", "webhooks:manage", "keys:manage"),
            _ when lower is "event" or "events" => Pick("article.published", "article.updated", "notice.published", "quote.updated"),
            _ when lower is "language" => Pick("en-GB", "cy-GB", "en"),
            _ when lower is "html" or "body" or "item" => $"<p>The ferry from Holyhead ran late on {RandomToken(5)}.</p>",
            _ when lower.Contains("slug", StringComparison.Ordinal) || lower is "section" or "tag" or "place" or "author" =>
                KnownSlugs.Count > 0 && Chance(0.3) ? KnownSlugs[random.Next(KnownSlugs.Count)] : "llandudno-" + RandomToken(8).ToLowerInvariant(),
            _ when lower is "postcode" => Pick("LL30 2LS", "LL57 1UT"),
            _ => $"Conwy valley {RandomToken(6)}",
        };
    }

    /// <summary>Breaks one to three places of a valid-looking body.</summary>
    private JsonNode? Mutate(JsonNode? body)
    {
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var slots = new List<(JsonNode Parent, object Key)>();
            Collect(body, slots);
            if (slots.Count == 0)
            {
                return Mutant();
            }
            var (parent, key) = slots[random.Next(slots.Count)];
            var remove = Chance(0.15);
            switch (parent, key)
            {
                case (JsonObject o, string k) when remove:
                    o.Remove(k);
                    break;
                case (JsonObject o, string k):
                    o[k] = Mutant();
                    break;
                case (JsonArray a, int index) when remove:
                    a.RemoveAt(index);
                    break;
                case (JsonArray a, int index):
                    a[index] = Mutant();
                    break;
            }
        }
        if (body is JsonObject root && Chance(0.2))
        {
            root[Pick("id", "version", "status", "firstPublishedAt", "updatedAt", "publishAt", "bodyHtml", "revision", "createdAt", "secret", "unknownField")] = Mutant();
        }
        return body;
    }

    private static void Collect(JsonNode? node, List<(JsonNode, object)> slots)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    slots.Add((o, key));
                    Collect(value, slots);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    slots.Add((a, i));
                    Collect(a[i], slots);
                }
                break;
        }
    }

    private JsonNode? Mutant() => random.Next(22) switch
    {
        0 => JsonValue.Create(123),
        1 => JsonValue.Create(-1),
        2 => JsonValue.Create(int.MinValue),
        3 => JsonValue.Create(1e308),
        4 => JsonValue.Create(true),
        5 => JsonValue.Create("not what you expected"),
        6 => new JsonArray(),
        7 => new JsonObject(),
        8 => null,
        9 => JsonValue.Create(""),
        10 => JsonValue.Create(new string('x', random.Next(5_000, 120_000))),
        11 => JsonValue.Create(new string('y', random.Next(200, 2_000))),
        12 => JsonValue.Create("Llan\u0000dudno"),
        13 => JsonValue.Create("Caf\u00e9 \ud83d\udcf0 \u202eevil\u202c a\u0301 日本語 العربية"),
        14 => JsonValue.Create("before " + LoneSurrogateMarker + " after"),
        15 => Nest(random.Next(30, 80)),
        16 => JsonValue.Create("   "),
        17 => JsonValue.Create(9.5),
        18 => JsonValue.Create("<script>alert(1)</script><img src=x onerror=alert(1)>"),
        19 => JsonValue.Create("9999-12-31T23:59:59+14:00"),
        20 => JsonValue.Create(long.MaxValue),
        _ => RandomJson(2),
    };

    private static JsonNode Nest(int depth)
    {
        JsonNode node = new JsonArray();
        for (var i = 1; i < depth; i++)
        {
            node = i % 2 == 0 ? new JsonArray(node) : new JsonObject { ["n"] = node };
        }
        return node;
    }

    private JsonNode? RandomJson(int depth) => random.Next(depth > 3 ? 6 : 9) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(-1000, 1000)),
        2 => JsonValue.Create(random.NextDouble() * 1e6),
        3 => JsonValue.Create(Chance(0.5)),
        4 or 5 => JsonValue.Create(RandomText(random.Next(0, 40))),
        6 => new JsonArray([.. Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomJson(depth + 1))]),
        _ => RandomObject(depth),
    };

    private JsonObject RandomObject(int depth)
    {
        var result = new JsonObject();
        for (var i = random.Next(0, 6); i > 0; i--)
        {
            result[Chance(0.5) ? Pick("headline", "name", "scopes", "body", "url", "events", "slug", "title", "type", "text") : RandomToken(5)] = RandomJson(depth + 1);
        }
        return result;
    }

    private JsonNode? Resolve(JsonNode? schema)
    {
        for (var hops = 0; hops < 10 && schema?["$ref"]?.GetValue<string>() is { } reference; hops++)
        {
            schema = _schemas[reference[(reference.LastIndexOf('/') + 1)..]];
        }
        return schema;
    }

    private string RandomText(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,:;'\"!?/\\&%#@()[]{}<>=+*ŵŷâêîôûäöü€📰";
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        }
        return builder.ToString().Replace("\ud83d", "", StringComparison.Ordinal).Replace("\udcf0", "", StringComparison.Ordinal);
    }

    private string RandomToken(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private bool Chance(double probability) => random.NextDouble() < probability;

    private T Pick<T>(params T[] choices) => choices[random.Next(choices.Length)];
}
