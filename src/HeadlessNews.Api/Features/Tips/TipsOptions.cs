using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Features.Tips;

/// <summary>The tips inbox: proof-of-work difficulty, attachments, retention and where the encryption keys live.</summary>
public sealed class TipsOptions : IValidatableObject
{
    public const string Section = "Tips";

    public TipChallengeOptions Challenge { get; set; } = new();

    /// <summary>Days after a tip's last activity before it is destroyed, unless it is linked to an article and kept.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>
    /// The Data Protection key ring that seals tips, relative to the content root unless absolute. It is not in the
    /// database, so a database backup alone reveals no tip; every API node needs the same folder (or a copy).
    /// </summary>
    [Required]
    public string KeyRingPath { get; set; } = ".data/tips-keys";

    [Range(0, 20)]
    public int MaxAttachments { get; set; } = 5;

    [Range(1024, 100L * 1024 * 1024)]
    public long MaxAttachmentBytes { get; set; } = 10L * 1024 * 1024;

    [Range(100, 100_000)]
    public int MaxMessageLength { get; set; } = 20_000;

    /// <summary>Tips with attachments a node holds in memory at once (<see cref="TipUploadGate"/>); the others wait on disk.</summary>
    [Range(1, 64)]
    public int MaxConcurrentUploads { get; set; } = 1;

    /// <summary>How long a tip with attachments waits for the gate before it is refused with 503 and Retry-After.</summary>
    [Range(0, 60)]
    public int UploadQueueSeconds { get; set; } = 10;

    /// <summary>The largest intake body: every attachment at its limit plus room for the text fields.</summary>
    public long MaxRequestBytes => (MaxAttachments * MaxAttachmentBytes) + (1024 * 1024);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Challenge.MaxNumber is < 1_000 or > 100_000_000)
        {
            yield return new ValidationResult("Tips:Challenge:MaxNumber must be between 1,000 and 100,000,000.", [nameof(Challenge)]);
        }
        if (Challenge.ExpirySeconds is < 30 or > 86_400)
        {
            yield return new ValidationResult("Tips:Challenge:ExpirySeconds must be between 30 and 86,400.", [nameof(Challenge)]);
        }
    }
}

public sealed class TipChallengeOptions
{
    /// <summary>The largest secret number: a solver tries half as many hashes on average.</summary>
    public int MaxNumber { get; set; } = 20_000;

    /// <summary>How long a challenge may be solved and submitted.</summary>
    public int ExpirySeconds { get; set; } = 1_200;
}
