using System.ComponentModel.DataAnnotations;

namespace HeadlessNews.Api.Features.Webhooks;

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>The default back-off: 5 s, 30 s, 2 min, 15 min, 1 h, 4 h, then every 12 h until <see cref="GiveUpAfter"/>.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetrySchedule =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(15),
        TimeSpan.FromHours(1), TimeSpan.FromHours(4), TimeSpan.FromHours(12),
    ];

    /// <summary>Allow loopback and private-range targets (development and tests only).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How often each node looks for due events and messages.</summary>
    [Range(10, 60_000)]
    public int PollIntervalMs { get; set; } = 1000;

    /// <summary>A delivery succeeds only with a 2xx answer within this time.</summary>
    [Range(1, 60)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Delays before the 2nd, 3rd, … attempt; the last one repeats. Empty means <see cref="DefaultRetrySchedule"/>.</summary>
    public TimeSpan[] RetrySchedule { get; set; } = [];

    /// <summary>Each delay is lengthened by a random part of up to this fraction, so failing receivers are not hit in lockstep.</summary>
    [Range(0.0, 1.0)]
    public double RetryJitter { get; set; } = 0.2;

    /// <summary>A message still undelivered this long after it became due is marked failed.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>A webhook with no successful delivery for this long, when a message fails for good, is disabled.</summary>
    public TimeSpan DisableAfterFailingFor { get; set; } = TimeSpan.FromDays(3);

    /// <summary>After a secret rotation, deliveries are also signed with the old secret for this long.</summary>
    public TimeSpan PreviousSecretGracePeriod { get; set; } = TimeSpan.FromHours(24);

    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;

    /// <summary>Deliveries in flight on one node at a time. Waiting on a slow target costs a socket, not a thread.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentDeliveries { get; set; } = 128;

    /// <summary>Deliveries in flight to one webhook at a time, over all nodes, so a slow or failing target holds few slots.</summary>
    [Range(1, 16)]
    public int MaxConcurrentPerWebhook { get; set; } = 2;

    public IReadOnlyList<TimeSpan> EffectiveRetrySchedule => RetrySchedule.Length > 0 ? RetrySchedule : DefaultRetrySchedule;

    /// <summary>
    /// A claimed message not settled by then becomes due again even though its node is alive (it could not record the
    /// attempt). A node that dies loses its claims with its lease (<c>Leases:Seconds</c>), or at once when it restarts.
    /// </summary>
    public TimeSpan ClaimLease => TimeSpan.FromSeconds(TimeoutSeconds + 30);

    internal bool HasValidDurations() =>
        GiveUpAfter > TimeSpan.Zero && DisableAfterFailingFor > TimeSpan.Zero && PreviousSecretGracePeriod >= TimeSpan.Zero
        && RetrySchedule.All(delay => delay > TimeSpan.Zero);
}
