using System.Diagnostics.Metrics;

namespace Bookstore.Marketplace.Books;

/// <summary>How often book data came from the cache: a counter per outcome and the hit ratio since start.</summary>
public sealed class BookCacheMetrics
{
    public const string LookupsName = "marketplace.book_cache.lookups";
    public const string HitRatioName = "marketplace.book_cache.hit_ratio";

    private readonly Counter<long> _lookups;
    private long _hits;
    private long _misses;

    public BookCacheMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Recommending.RecommendationsMetrics.MeterName);
        _lookups = meter.CreateCounter<long>(LookupsName, "{lookup}", "Book lookups, by whether the cache had the book (result: hit or miss).");
        meter.CreateObservableGauge(HitRatioName, () => HitRatio, "1", "The share of book lookups answered from the cache since the process started.");
    }

    public double HitRatio
    {
        get
        {
            var hits = Interlocked.Read(ref _hits);
            var total = hits + Interlocked.Read(ref _misses);
            return total == 0 ? 0 : (double)hits / total;
        }
    }

    public void Record(bool hit)
    {
        Interlocked.Increment(ref hit ? ref _hits : ref _misses);
        _lookups.Add(1, new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));
    }
}
