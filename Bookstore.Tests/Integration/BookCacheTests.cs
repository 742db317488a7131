using System.Diagnostics.Metrics;
using Bookstore.Marketplace.Books;
using Bookstore.Marketplace.Recommending;
using Bookstore.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bookstore.Tests.Integration;

/// <summary>The Marketplace's book cache (HybridCache) in front of the real Recommendations process.</summary>
public sealed class BookCacheTests(RunningServices services)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Book_data_comes_from_the_cache_until_a_rating_changes_it_and_the_hit_ratio_is_measured()
    {
        await using var provider = new ServiceCollection().AddMetrics().AddHybridCache().Services.BuildServiceProvider();
        var meterFactory = provider.GetRequiredService<IMeterFactory>();
        using var metrics = new MetricRecorder(meterFactory, RecommendationsMetrics.MeterName);
        using var channel = Http2.CreateChannel(services.Recommendations.BaseAddress);
        var cacheMetrics = new BookCacheMetrics(meterFactory);
        var books = new BookClient(
            Http2.RecommendationsClient(channel), provider.GetRequiredService<HybridCache>(), cacheMetrics,
            Options.Create(new RecommendationsOptions()), Options.Create(new BookCacheOptions()), NullLogger<BookClient>.Instance);
        var user = Random.Shared.Next(1_000_000, int.MaxValue);

        var first = await books.GetAsync(30, Cancellation);
        var second = await books.GetAsync(30, Cancellation);
        var rated = await books.RateAsync(30, user, 5, Cancellation);
        var third = await books.GetAsync(30, Cancellation);

        Assert.Equal(BookCallStatus.Ok, first.Status);
        Assert.Same(first.Book, second.Book);                       // the cached instance itself, no copy
        Assert.Equal(first.Book!.RatingCount + 1, rated.Book!.RatingCount);
        Assert.Equal(rated.Book, third.Book);                       // dropped from the cache by the rating, read again
        Assert.Equal(3, metrics.Of(BookCacheMetrics.LookupsName).Count);
        Assert.Equal(2, metrics.Of(BookCacheMetrics.MissesName).Count);
        Assert.Equal(1.0 / 3, cacheMetrics.HitRatio, precision: 6);
    }
}
