using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HeadlessNews.Api.Infrastructure.Database;

/// <summary>Recognises constraint violations that a concurrent request can cause between our checks and the commit.</summary>
public static class DatabaseErrors
{
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public static bool IsForeignKeyViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };
}
