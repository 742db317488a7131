using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Bookstore.Marketplace.Recommending;
using Bookstore.Protos;
using Bookstore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bookstore.Tests.Unit;

public sealed class BookRecommenderTests
{
    [Fact]
    public async Task A_call_that_cannot_connect_falls_back_and_is_logged_and_counted()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        using var metrics = new MetricRecorder(meterFactory, RecommendationsMetrics.MeterName);
        using var logs = new CollectingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(logs));
        using var channel = Http2.CreateChannel(new Uri($"http://127.0.0.1:{ClosedPort()}"));
        var recommender = new BookRecommender(
            Http2.RecommendationsClient(channel),
            Options.Create(new RecommendationsOptions()),
            new RecommendationsMetrics(meterFactory),
            loggerFactory.CreateLogger<BookRecommender>());

        var result = await recommender.RecommendAsync(BookCategory.Mystery, userId: 1, TestContext.Current.CancellationToken);

        Assert.True(result.Unavailable);
        Assert.Empty(result.Books);
        var counted = Assert.Single(metrics.Of(RecommendationsMetrics.UnavailableName));
        Assert.Equal((int)Grpc.Core.StatusCode.Unavailable, counted.Tags["rpc.grpc.status_code"]);
        Assert.Single(logs.Entries, entry => entry.Level == LogLevel.Warning && entry.Exception is not null);
    }

    [Fact]
    public async Task A_call_past_its_deadline_falls_back()
    {
        // A listener that accepts connections and never answers.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        using var metrics = new MetricRecorder(meterFactory, RecommendationsMetrics.MeterName);
        using var channel = Http2.CreateChannel(new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"));
        var recommender = new BookRecommender(
            Http2.RecommendationsClient(channel),
            Options.Create(new RecommendationsOptions { Deadline = TimeSpan.FromMilliseconds(300) }),
            new RecommendationsMetrics(meterFactory),
            LoggerFactory.Create(_ => { }).CreateLogger<BookRecommender>());

        var result = await recommender.RecommendAsync(BookCategory.Mystery, userId: 1, TestContext.Current.CancellationToken);

        Assert.True(result.Unavailable);
        Assert.Equal((int)Grpc.Core.StatusCode.DeadlineExceeded, Assert.Single(metrics.Of(RecommendationsMetrics.UnavailableName)).Tags["rpc.grpc.status_code"]);
    }

    [Fact]
    public async Task A_visitor_who_leaves_cancels_the_call_without_a_fallback_or_a_warning()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        using var metrics = new MetricRecorder(meterFactory, RecommendationsMetrics.MeterName);
        using var logs = new CollectingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(logs));
        using var channel = Http2.CreateChannel(new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"));
        var recommender = new BookRecommender(
            Http2.RecommendationsClient(channel),
            Options.Create(new RecommendationsOptions()),
            new RecommendationsMetrics(meterFactory),
            loggerFactory.CreateLogger<BookRecommender>());
        using var visitorLeaves = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => recommender.RecommendAsync(BookCategory.Mystery, userId: 1, visitorLeaves.Token));

        Assert.Empty(metrics.Of(RecommendationsMetrics.UnavailableName));
        Assert.DoesNotContain(logs.Entries, entry => entry.Level >= LogLevel.Warning);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
