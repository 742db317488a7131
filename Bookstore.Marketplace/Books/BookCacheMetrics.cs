using System.Diagnostics.Metrics;

namespace Bookstore.Marketplace.Books;

/// <summary>How often book data came from the cache: lookups, misses, and the hit ratio since start.</summary>
public sealed class BookCacheMetrics
{
    public const string LookupsName = "marketplace.book_cache.lookups";
    public const string MissesName = "marketplace.book_cache.misses";
    public const string HitRatioName = "marketplace.book_cache.hit_ratio";

    private readonly Counter<long> _lookups;
    private readonly Counter<long> _misses;
    private long _lookupCount;
    private long _missCount;

    public BookCacheMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Recommending.RecommendationsMetrics.MeterName);
        _lookups = meter.CreateCounter<long>(LookupsName, "{lookup}", "Book lookups in the cache.");
        _misses = meter.CreateCounter<long>(MissesName, "{lookup}", "Book lookups the cache did not have: each asked Recommendations.");
        meter.CreateObservableGauge(HitRatioName, () => HitRatio, "1", "The share of book lookups answered from the cache since the process started.");
    }

    public double HitRatio
    {
        get
        {
            var lookups = Interlocked.Read(ref _lookupCount);
            return lookups == 0 ? 0 : Math.Max(0, lookups - Interlocked.Read(ref _missCount)) / (double)lookups;
        }
    }

    public void RecordLookup()
    {
        Interlocked.Increment(ref _lookupCount);
        _lookups.Add(1);
    }

    public void RecordMiss()
    {
        Interlocked.Increment(ref _missCount);
        _misses.Add(1);
    }
}
