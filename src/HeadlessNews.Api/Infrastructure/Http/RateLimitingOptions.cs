using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Infrastructure.Http;

/// <summary>Request budgets per fixed window, per API key (when one is presented) or else per client address; and the failed-authentication budget.</summary>
public sealed class RateLimitingOptions : IValidatableObject
{
    public const string Section = "RateLimiting";

    public bool Enabled { get; set; } = true;

    /// <summary>Short windows also keep memory bounded: an idle client's limiter is dropped soon after its window ends.</summary>
    [Range(1, 3600)]
    public int WindowSeconds { get; set; } = 10;

    /// <summary>Delivery reads under <c>/v1/</c>.</summary>
    public RateBudget Delivery { get; set; } = new() { Anonymous = 100, Key = 1000 };

    /// <summary><c>/v1/manage/</c>.</summary>
    public RateBudget Management { get; set; } = new() { Anonymous = 20, Key = 200 };

    /// <summary><c>/v1/feeds/</c>, <c>/v1/changes</c>, <c>/sitemaps/</c>.</summary>
    public RateBudget Feeds { get; set; } = new() { Anonymous = 30, Key = 300 };

    /// <summary>
    /// <c>/v1/tips/</c>: challenges, submissions and receipt look-ups, per client address (held in memory only, never
    /// stored or logged); a key gains nothing here. Guessing an 80-bit receipt is hopeless anyway; this keeps it quiet.
    /// </summary>
    public RateBudget Tips { get; set; } = new() { Anonymous = 10, Key = 10 };

    /// <summary>
    /// Failed authentications (unknown, revoked, expired or malformed keys) per client address and window, counted
    /// before any database lookup; keys this deployment minted are looked up whatever is left.
    /// </summary>
    [Range(1, 1_000_000)]
    public int FailedAuthentications { get; set; } = 20;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, budget) in new[] { (nameof(Delivery), Delivery), (nameof(Management), Management), (nameof(Feeds), Feeds), (nameof(Tips), Tips) })
        {
            if (budget.Anonymous < 1 || budget.Key < budget.Anonymous)
            {
                yield return new ValidationResult($"RateLimiting:{name} needs Anonymous >= 1 and Key >= Anonymous.", [name]);
            }
        }
    }
}

public sealed class RateBudget
{
    public int Anonymous { get; set; }

    public int Key { get; set; }
}
