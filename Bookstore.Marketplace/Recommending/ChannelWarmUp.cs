using System.Diagnostics;
using Bookstore.Protos;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Bookstore.Marketplace.Recommending;

/// <summary>
/// One Recommend call in the background while the Marketplace starts, so that the first visitor does not pay for the
/// connection to Recommendations (the TLS handshake both ways under mutual TLS), the HTTP pipeline's first use
/// (resilience, service discovery) and the JIT of the gRPC call on both sides. Measured here on the Marketplace alone:
/// the first home page came 0.45-0.55 s after Kestrel listened. The call never delays the start and never fails it:
/// Recommendations may be down (pages have their fallback). It shows in traces as "Recommendations warm-up".
/// </summary>
public sealed partial class ChannelWarmUp(
    Protos.Recommendations.RecommendationsClient client,
    IOptions<RecommendationsOptions> options,
    ILogger<ChannelWarmUp> logger) : BackgroundService
{
    // The source ServiceDefaults traces (the application's name).
    private static readonly ActivitySource Source = new(typeof(ChannelWarmUp).Assembly.GetName().Name!);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WarmUpOnStart)
        {
            return;
        }

        await Task.Yield();   // the host goes on starting at once
        using var activity = Source.StartActivity("Recommendations warm-up");
        var started = Stopwatch.GetTimestamp();
        try
        {
            var request = new RecommendationRequest { UserId = 0, Category = BookCategory.Mystery, MaxResults = 1 };
            await client.RecommendAsync(request, deadline: DateTime.UtcNow + options.Value.Deadline, cancellationToken: stoppingToken);
            var elapsed = Stopwatch.GetElapsedTime(started);
            LogWarm(logger, elapsed);
        }
        catch (Exception exception) when (exception is RpcException or InvalidOperationException or HttpRequestException)
        {
            // Not a failure of the Marketplace: the first page will connect (or show its fallback) instead.
            LogNotWarm(logger, exception.Message);
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Warm-up call to Recommendations answered in {Elapsed}")]
    private static partial void LogWarm(ILogger logger, TimeSpan elapsed);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Warm-up call to Recommendations failed ({Reason}); the first page connects instead")]
    private static partial void LogNotWarm(ILogger logger, string reason);
}
