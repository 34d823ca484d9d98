namespace HeadlessNews.Api.Infrastructure.Domain;

/// <summary>
/// Why a write did not happen, as plain data any writer (HTTP, seeder, importer) can act on.
/// <c>DomainProblems</c> in Infrastructure/Http is the one place a refusal becomes an HTTP problem.
/// </summary>
public abstract record Refusal(string Detail);

public sealed record Missing(string Detail) : Refusal(Detail);

/// <summary>The writer did not say which version its change is based on.</summary>
public sealed record VersionRequired() : Refusal("The write must name the version it is based on.");

/// <summary>The resource moved on since the writer read it; <paramref name="CurrentVersion"/> is where it is now.</summary>
public sealed record VersionConflict(int CurrentVersion) : Refusal($"The resource is now at version {CurrentVersion}.");

/// <summary>The resource's state does not allow the change (already published, archived, …).</summary>
public sealed record StateConflict(string Detail) : Refusal(Detail);

/// <summary>The story already has an edition in the language asked for.</summary>
public sealed record EditionTaken(string Detail) : Refusal(Detail);

/// <summary>Another resource has, or had, the slug.</summary>
public sealed record SlugTaken(string Detail) : Refusal(Detail);

/// <summary>Articles still use the resource; the first 50 of them.</summary>
public sealed record InUse(string Detail, IReadOnlyList<ArticleUse> Articles) : Refusal(Detail)
{
    public static InUse By(string what, IReadOnlyList<ArticleUse> articles) => new(
        $"This {what} is used by {articles.Count} article(s): {string.Join(", ", articles.Select(a => $"'{a.Headline}' ({a.Slug})"))}. Change those articles first.",
        articles);
}

/// <summary>Field errors keyed by JSON path (<c>body[2].quoteId</c>).</summary>
public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : Refusal("One or more fields are invalid.")
{
    public static Invalid Field(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>A rule reserves the change to writers with more rights.</summary>
public sealed record Forbidden(string Detail) : Refusal(Detail);

/// <summary>An article that uses a piece of content, as named in an <see cref="InUse"/> refusal.</summary>
public sealed record ArticleUse(Guid Id, string Slug, string Headline);

/// <summary>What a write returns: the written value, or the refusal.</summary>
public readonly struct WriteResult<T>
{
    private WriteResult(T? value, Refusal? refusal)
    {
        Value = value;
        Refusal = refusal;
    }

    public T? Value { get; }

    public Refusal? Refusal { get; }

    public static implicit operator WriteResult<T>(T value) => new(value, null);

    public static implicit operator WriteResult<T>(Refusal refusal) => new(default, refusal);

    public WriteResult<TOut> Map<TOut>(Func<T, TOut> map) => Refusal is { } refusal ? refusal : map(Value!);
}
