using System.ComponentModel.DataAnnotations;

namespace Bookstore.Marketplace.Recommending;

/// <summary>The "Recommendations" configuration section.</summary>
public sealed class RecommendationsOptions
{
    public const string SectionName = "Recommendations";

    /// <summary>Overrides of the calls' fast failover (attempt and total timeouts, retries, circuit breaker).</summary>
    public const string ResilienceSectionName = "Recommendations:Resilience";

    /// <summary>Every call gets this deadline; past it the page shows its fallback. Default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// One Recommend call in the background at start, so that the first visitor finds the connection open
    /// (<see cref="ChannelWarmUp"/>). Default true; a test that counts the calls Recommendations serves turns it off.
    /// </summary>
    public bool WarmUpOnStart { get; set; } = true;

    /// <summary>How many books a page shows. Default 3.</summary>
    [Range(1, 100)]
    public int MaxResults { get; set; } = 3;
}
