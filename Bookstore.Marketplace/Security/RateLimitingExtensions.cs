using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Bookstore.Marketplace.Security;

/// <summary>How many requests one client address may make (section <c>RateLimiting</c>).</summary>
public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary>Off only where one address stands for many users on purpose (load tests, benchmarks).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests per second each client address gets back (tokens added to its bucket every second).</summary>
    [Range(1, 1_000_000)]
    public int PermitsPerSecond { get; set; } = 20;

    /// <summary>How many requests a client address may make at once after a quiet while (the bucket's size).</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 60;
}

/// <summary>
/// ASP.NET Core's rate limiter: one token bucket per client address, so a client over its limit gets
/// <c>429 Too Many Requests</c> with <c>Retry-After</c> while every other client keeps its own budget. Health, liveness
/// and static files are not limited (probes must never be refused; files are served before the limiter).
/// </summary>
public static class RateLimitingExtensions
{
    /// <summary>Paths a probe or a scraper calls: never limited.</summary>
    private static readonly PathString[] Exempt = [ServiceDefaultsExtensions.HealthEndpointPath, ServiceDefaultsExtensions.AlivenessEndpointPath, "/metrics"];

    public static IServiceCollection AddClientRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitingOptions>().Bind(configuration.GetSection(RateLimitingOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>>((limiter, settings) =>
        {
            var limits = settings.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                !limits.Enabled || Exempt.Any(path => context.Request.Path.StartsWithSegments(path))
                    ? RateLimitPartition.GetNoLimiter(string.Empty)
                    : RateLimitPartition.GetTokenBucketLimiter(ClientAddress(context), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limits.Burst,
                        TokensPerPeriod = limits.PermitsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            limiter.OnRejected = RejectAsync;
        });
        return services;
    }

    /// <summary>The address the request came from (after forwarded headers, where the deployment enables them).</summary>
    private static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"This address made more requests than the Marketplace allows; try again in {seconds} s.",
            },
        });
    }
}
