using Bookstore.Hosting.Dashboard;
using Bookstore.Hosting.Telemetry;

namespace Bookstore.Tests.Unit;

public sealed class HistogramIntervalTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rate_and_percentiles_come_from_the_difference_of_two_cumulative_exports()
    {
        // Bounds 0.01 s and 0.1 s: buckets (-inf, 0.01], (0.01, 0.1], (0.1, +inf).
        double[] bounds = [0.01, 0.1];
        var before = new HistogramBuckets(bounds, [10, 0, 0]);
        var after = new HistogramBuckets(bounds, [60, 49, 1]);

        var (rate, p50, p99) = TelemetryPages.Interval(Start, [before], Start.AddSeconds(2), [after]);

        Assert.Equal(50, rate);      // 100 new values in 2 s
        Assert.Equal(0.01, p50);     // 50 of the 100 are <= 0.01: the median falls in the first bucket
        Assert.Equal(0.1, p99);      // the 99th value is <= 0.1; the 100th is above every bound
    }

    [Fact]
    public void Attribute_sets_are_added_up_and_an_empty_interval_is_zero()
    {
        double[] bounds = [1];
        HistogramBuckets[] before = [new(bounds, [1, 0]), new(bounds, [2, 0])];
        HistogramBuckets[] after = [new(bounds, [3, 0]), new(bounds, [4, 2])];

        Assert.Equal((6, 1, 1), TelemetryPages.Interval(Start, before, Start.AddSeconds(1), after));
        Assert.Equal((0, 0, 0), TelemetryPages.Interval(Start, after, Start.AddSeconds(1), after));
    }
}
