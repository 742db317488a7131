using System.Diagnostics.Metrics;
using Grpc.Core;

namespace Bookstore.Marketplace.Recommending;

public sealed class RecommendationsMetrics
{
    public const string MeterName = "Bookstore.Marketplace";
    public const string UnavailableName = "marketplace.recommendations.unavailable";

    private readonly Counter<long> _unavailable;

    public RecommendationsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _unavailable = meter.CreateCounter<long>(UnavailableName, "{call}",
            "Recommendation calls that failed, so that a page showed its fallback instead of books.");
    }

    public void RecordUnavailable(StatusCode status) =>
        _unavailable.Add(1, new KeyValuePair<string, object?>("rpc.grpc.status_code", (int)status));
}
