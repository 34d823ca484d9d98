using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Infrastructure.Database;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Where the embedded cluster lives when no connection string is configured.</summary>
    [Required]
    public string EmbeddedDataPath { get; set; } = ".data/postgres";

    /// <summary>Apply pending migrations at start-up (under an advisory lock). Turn off and run the <c>migrate</c> command instead.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>Seed fictional sample content into an empty database. Defaults to on for the embedded database only.</summary>
    public bool? SeedSampleContent { get; set; }

    [Range(1, 600)]
    public int CommandTimeoutSeconds { get; set; } = 15;
}
