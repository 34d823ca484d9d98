namespace HeadlessNews.Api.Infrastructure.Domain;

/// <summary>Content that articles refer to and that is written on its own.</summary>
public enum ReferencedContent
{
    Section,
    Author,
    Quote,
    Source,
    Tag,
    Place,
}

/// <summary>
/// Which articles use a section, author, quote or source. Articles answers (it owns the links), so the features that
/// write that content apply the rules without depending on articles.
/// </summary>
public interface IArticleUsage
{
    /// <summary>The articles (at most 50) that stop <paramref name="id"/> being deleted.</summary>
    Task<IReadOnlyList<ArticleUse>> BlockingDeletionAsync(Database.HeadlessNewsDbContext db, ReferencedContent kind, Guid id, CancellationToken cancellationToken);

    /// <summary>Whether a visible article uses <paramref name="id"/> (a change to it is then news to subscribers).</summary>
    Task<bool> AnyVisibleAsync(Database.HeadlessNewsDbContext db, ReferencedContent kind, Guid id, DateTimeOffset now, CancellationToken cancellationToken);
}
