using Bookstore.Hosting;
using Bookstore.Hosting.Telemetry;
using Bookstore.Hosting.Telemetry.Otlp;
using Google.Protobuf;

namespace Bookstore.Tests.Unit;

/// <summary>The store keeps to its limits, oldest first, however much arrives.</summary>
public sealed class TelemetryStoreTests
{
    [Fact]
    public void The_oldest_traces_go_first_once_the_trace_limit_is_reached()
    {
        var store = new TelemetryStore(new TelemetryLimits { MaxTraceCount = 3 });

        for (var trace = 1; trace <= 5; trace++)
        {
            store.Add(Traces(Span(trace, 1, "GET /"), Span(trace, 2, "Recommend")));
        }

        Assert.Equal(3, store.TraceCount);
        Assert.Equal([TraceId(3), TraceId(4), TraceId(5)], store.Traces().Select(spans => spans[0].TraceId));
        Assert.Equal([TraceId(5), TraceId(4)], store.NewestTraces(2).Select(spans => spans[0].TraceId));
        Assert.Null(store.Trace(TraceId(1)));
        Assert.Equal(2, store.Trace(TraceId(5))!.Count);
    }

    [Fact]
    public void Spans_beyond_the_per_trace_limit_and_attributes_beyond_theirs_are_dropped_and_counted()
    {
        var store = new TelemetryStore(new TelemetryLimits { MaxSpansPerTrace = 2, MaxAttributeCount = 3, MaxAttributeLength = 5 });
        var big = Span(1, 1, "GET /");
        big.Attributes.Add(Attribute("a", "1"));
        big.Attributes.Add(Attribute("b", "0123456789"));
        big.Attributes.Add(Attribute("c", "3"));

        store.Add(Traces(big, Span(1, 2, "two"), Span(1, 3, "three")));

        var spans = store.Trace(TraceId(1))!;
        Assert.Equal(["GET /", "two"], spans.Select(span => span.Name));
        Assert.Equal(new Dictionary<string, string> { ["url.path"] = "/", ["a"] = "1", ["b"] = "01234" }, spans[0].Attributes);
        Assert.Equal(2, store.Dropped);   // the third span and the fourth attribute
    }

    [Fact]
    public void Log_records_and_metric_points_keep_the_newest_up_to_their_limits()
    {
        var store = new TelemetryStore(new TelemetryLimits { MaxLogCount = 2, MaxMetricPointsPerResource = 3 });

        var logs = new ScopeLogs { Scope = new InstrumentationScope { Name = "Category" } };
        for (var i = 1; i <= 4; i++)
        {
            logs.LogRecords.Add(new LogRecord { TimeUnixNano = (ulong)i, SeverityNumber = 9, Body = new AnyValue { StringValue = $"message {i}" } });
        }

        store.Add(new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { Resource = Service("marketplace"), ScopeLogs = { logs } } } });
        var gauge = new Metric { Name = "queue", Gauge = new Gauge() };
        for (var i = 1; i <= 5; i++)
        {
            gauge.Gauge.DataPoints.Add(new NumberDataPoint { TimeUnixNano = (ulong)i, AsInt = i });
        }

        store.Add(new ExportMetricsServiceRequest { ResourceMetrics = { new ResourceMetrics { Resource = Service("marketplace"), ScopeMetrics = { new ScopeMetrics { Metrics = { gauge } } } } } });

        Assert.Equal(["message 3", "message 4"], store.Logs().Select(log => log.Message));
        Assert.All(store.Logs(), log => Assert.Equal("Category", log.Category));
        Assert.Equal([3.0, 4.0, 5.0], store.Metrics("marketplace").Select(point => point.Value));
        Assert.Empty(store.Metrics("recommendations"));
    }

    [Fact]
    public void Repeated_strings_are_stored_once()
    {
        var store = new TelemetryStore(new TelemetryLimits());

        // Each export decodes its own copies of the same names and values.
        store.Add(Traces(Span(1, 1, "GET /")));
        store.Add(Traces(Span(2, 1, "GET /")));

        var (first, second) = (store.Trace(TraceId(1))![0], store.Trace(TraceId(2))![0]);
        Assert.Same(first.Name, second.Name);
        Assert.Same(first.Resource, second.Resource);
        Assert.Same(first.Attributes["url.path"], second.Attributes["url.path"]);
    }

    [Fact]
    public void Limits_come_from_Dashboard__TelemetryLimits__variables_and_a_bad_one_is_named()
    {
        var variables = new Dictionary<string, string> { ["Dashboard__TelemetryLimits__MaxTraceCount"] = "500" };
        var limits = TelemetryLimits.FromEnvironment(variables.GetValueOrDefault);
        Assert.Equal(500, limits.MaxTraceCount);
        Assert.Equal(10_000, limits.MaxLogCount);

        variables["Dashboard__TelemetryLimits__MaxLogCount"] = "-3";
        var error = Assert.Throws<DistributedApplicationException>(() => TelemetryLimits.FromEnvironment(variables.GetValueOrDefault));
        Assert.Contains("Dashboard__TelemetryLimits__MaxLogCount must be a whole number above 0 (got '-3')", error.Message, StringComparison.Ordinal);
    }

    private static string TraceId(int trace) => Convert.ToHexStringLower(TraceIdBytes(trace));

    private static byte[] TraceIdBytes(int trace)
    {
        var id = new byte[16];
        BitConverter.TryWriteBytes(id, trace);
        return id;
    }

    private static Span Span(int trace, int span, string name)
    {
        var spanId = new byte[8];
        BitConverter.TryWriteBytes(spanId, (trace * 100) + span);
        var item = new Span
        {
            TraceId = ByteString.CopyFrom(TraceIdBytes(trace)),
            SpanId = ByteString.CopyFrom(spanId),
            Name = name,
            StartTimeUnixNano = 1_000,
            EndTimeUnixNano = 2_000,
        };
        item.Attributes.Add(Attribute("url.path", "/"));
        return item;
    }

    private static KeyValue Attribute(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static Resource Service(string name) => new() { Attributes = { Attribute("service.name", name) } };

    /// <summary>As the receiver gets it: decoded from the wire, every string a fresh copy.</summary>
    private static ExportTraceServiceRequest Traces(params Span[] spans) => ExportTraceServiceRequest.Parser.ParseFrom(
        new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = Service("marketplace"), ScopeSpans = { new ScopeSpans { Spans = { spans } } } } } }.ToByteArray());
}
