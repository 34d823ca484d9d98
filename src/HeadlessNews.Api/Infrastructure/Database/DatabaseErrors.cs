using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>Recognises constraint violations that a concurrent request can cause between our checks and the commit.</summary>
public static class DatabaseErrors
{
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>A unique violation of the named constraint or index (a table with several tells them apart).</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception, string constraint) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique && unique.ConstraintName == constraint;

    public static bool IsForeignKeyViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };
}
