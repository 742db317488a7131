using Bookstore.Protos;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Bookstore.Marketplace.Recommending;

/// <summary>What a page shows: books, or a notice that recommendations are unavailable right now.</summary>
public sealed record RecommendationResult(IReadOnlyList<BookRecommendation> Books, bool Unavailable)
{
    public static RecommendationResult Failed { get; } = new([], true);
}

/// <summary>Asks Recommendations for books, with a deadline on every call and a fallback when the call fails.</summary>
public sealed partial class BookRecommender(
    Protos.Recommendations.RecommendationsClient client,
    IOptions<RecommendationsOptions> options,
    RecommendationsMetrics metrics,
    ILogger<BookRecommender> logger)
{
    /// <summary>Up to <paramref name="maxResults"/> (default: the configured number) books for the user (see Books/Visitor).</summary>
    public async Task<RecommendationResult> RecommendAsync(BookCategory category, int userId, CancellationToken cancellationToken, int? maxResults = null)
    {
        var settings = options.Value;
        var request = new RecommendationRequest { UserId = userId, Category = category, MaxResults = maxResults ?? settings.MaxResults };
        try
        {
            var response = await client.RecommendAsync(request, deadline: DateTime.UtcNow + settings.Deadline, cancellationToken: cancellationToken);
            return new RecommendationResult(response.Recommendations, Unavailable: false);
        }
        catch (RpcException exception) when (cancellationToken.IsCancellationRequested)
        {
            // The visitor went away: not a failure of Recommendations, and nobody is left to show a page to.
            throw new OperationCanceledException("The request was aborted.", exception, cancellationToken);
        }
        catch (RpcException exception)
        {
            metrics.RecordUnavailable(exception.StatusCode);
            LogUnavailable(exception, category, exception.StatusCode);
            return RecommendationResult.Failed;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Recommendations for {Category} are unavailable ({GrpcStatusCode}); showing the fallback notice")]
    private partial void LogUnavailable(Exception exception, BookCategory category, StatusCode grpcStatusCode);
}
