using System.Globalization;
using Bookstore.Hosting.Telemetry.Otlp;
using Google.Protobuf;

namespace Bookstore.Hosting.Telemetry;

public sealed record SpanEvent(DateTimeOffset Time, string Name, IReadOnlyDictionary<string, string> Attributes);

public sealed record TelemetrySpan(
    string TraceId, string SpanId, string? ParentSpanId, string Name, string Kind, string Resource, string Instance,
    DateTimeOffset Start, TimeSpan Duration, bool IsError, IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<SpanEvent> Events);

public sealed record TelemetryLog(
    DateTimeOffset Time, string Resource, string Instance, int Severity, string SeverityText, string Category, string Message,
    string? TraceId, string? SpanId, IReadOnlyDictionary<string, string> Attributes);

/// <summary>A measurement: a number, or for a histogram its count with its (cumulative) buckets.</summary>
public sealed record MetricPoint(
    string Resource, string Instance, string Name, string Unit, DateTimeOffset Time, double Value, IReadOnlyDictionary<string, string> Attributes,
    HistogramBuckets? Histogram = null);

/// <summary>Bucket counts of an explicit-bucket histogram: Counts[i] counts values up to Bounds[i] (the last: above them all).</summary>
public sealed record HistogramBuckets(IReadOnlyList<double> Bounds, IReadOnlyList<ulong> Counts);

public sealed class TelemetryStoreOptions
{
    public int MaxTraces { get; set; } = 10_000;

    public int MaxLogs { get; set; } = 10_000;

    public int MaxMetricPointsPerResource { get; set; } = 20_000;
}

/// <summary>
/// What the OTLP receivers got, bounded: the oldest traces, log records and metric points go first, so memory
/// stays flat however long the AppHost runs.
/// </summary>
public sealed class TelemetryStore(TelemetryStoreOptions options)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<TelemetrySpan>> _traces = [];
    private readonly Queue<string> _traceOrder = new();
    private readonly Queue<TelemetryLog> _logs = new();
    private readonly Dictionary<string, Queue<MetricPoint>> _metrics = [];
    private long _version;

    /// <summary>Goes up with every export received: a page knows when to refresh.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The spans of one trace, or null when it is not (or no longer) stored.</summary>
    public IReadOnlyList<TelemetrySpan>? Trace(string traceId)
    {
        lock (_gate)
        {
            return _traces.TryGetValue(traceId, out var spans) ? [.. spans] : null;
        }
    }

    public IReadOnlyList<IReadOnlyList<TelemetrySpan>> Traces()
    {
        lock (_gate)
        {
            return [.. _traceOrder.Select(id => (IReadOnlyList<TelemetrySpan>)[.. _traces[id]])];
        }
    }

    public IReadOnlyList<TelemetryLog> Logs()
    {
        lock (_gate)
        {
            return [.. _logs];
        }
    }

    public IReadOnlyList<MetricPoint> Metrics(string resource)
    {
        lock (_gate)
        {
            return _metrics.TryGetValue(resource, out var points) ? [.. points] : [];
        }
    }

    public void Add(ExportTraceServiceRequest request)
    {
        Interlocked.Increment(ref _version);
        lock (_gate)
        {
            foreach (var resourceSpans in request.ResourceSpans)
            {
                var (resource, instance) = Identify(resourceSpans.Resource);
                foreach (var span in resourceSpans.ScopeSpans.SelectMany(scope => scope.Spans))
                {
                    var traceId = Hex(span.TraceId);
                    if (!_traces.TryGetValue(traceId, out var spans))
                    {
                        if (_traceOrder.Count == options.MaxTraces)
                        {
                            _traces.Remove(_traceOrder.Dequeue());
                        }

                        spans = [];
                        _traces[traceId] = spans;
                        _traceOrder.Enqueue(traceId);
                    }

                    spans.Add(new TelemetrySpan(
                        traceId, Hex(span.SpanId), span.ParentSpanId.IsEmpty ? null : Hex(span.ParentSpanId), span.Name,
                        span.Kind.ToString().Replace("SpanKind", "", StringComparison.Ordinal), resource, instance,
                        Time(span.StartTimeUnixNano), TimeSpan.FromTicks((long)(span.EndTimeUnixNano - span.StartTimeUnixNano) / 100),
                        span.Status?.Code == SpanStatus.Types.StatusCode.Error, Attributes(span.Attributes),
                        [.. span.Events.Select(item => new SpanEvent(Time(item.TimeUnixNano), item.Name, Attributes(item.Attributes)))]));
                }
            }
        }
    }

    public void Add(ExportLogsServiceRequest request)
    {
        Interlocked.Increment(ref _version);
        lock (_gate)
        {
            foreach (var resourceLogs in request.ResourceLogs)
            {
                var (resource, instance) = Identify(resourceLogs.Resource);
                foreach (var scope in resourceLogs.ScopeLogs)
                {
                    foreach (var record in scope.LogRecords)
                    {
                        if (_logs.Count == options.MaxLogs)
                        {
                            _logs.Dequeue();
                        }

                        _logs.Enqueue(new TelemetryLog(
                            Time(record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano), resource, instance,
                            record.SeverityNumber, record.SeverityText, scope.Scope?.Name ?? "", Text(record.Body),
                            record.TraceId.IsEmpty ? null : Hex(record.TraceId), record.SpanId.IsEmpty ? null : Hex(record.SpanId),
                            Attributes(record.Attributes)));
                    }
                }
            }
        }
    }

    public void Add(ExportMetricsServiceRequest request)
    {
        Interlocked.Increment(ref _version);
        lock (_gate)
        {
            foreach (var resourceMetrics in request.ResourceMetrics)
            {
                var (resource, instance) = Identify(resourceMetrics.Resource);
                if (!_metrics.TryGetValue(resource, out var points))
                {
                    points = new Queue<MetricPoint>();
                    _metrics[resource] = points;
                }

                foreach (var metric in resourceMetrics.ScopeMetrics.SelectMany(scope => scope.Metrics))
                {
                    foreach (var point in PointsOf(metric, resource, instance))
                    {
                        if (points.Count == options.MaxMetricPointsPerResource)
                        {
                            points.Dequeue();
                        }

                        points.Enqueue(point);
                    }
                }
            }
        }
    }

    private static IEnumerable<MetricPoint> PointsOf(Metric metric, string resource, string instance) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Select(point => Number(metric, resource, instance, point)),
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Select(point => Number(metric, resource, instance, point)),
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Select(point =>
            new MetricPoint(resource, instance, metric.Name, metric.Unit, Time(point.TimeUnixNano), point.Count, Attributes(point.Attributes),
                new HistogramBuckets([.. point.ExplicitBounds], [.. point.BucketCounts]))),
        _ => [],
    };

    private static MetricPoint Number(Metric metric, string resource, string instance, NumberDataPoint point) =>
        new(resource, instance, metric.Name, metric.Unit, Time(point.TimeUnixNano),
            point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble, Attributes(point.Attributes));

    private static (string Resource, string Instance) Identify(Resource? resource)
    {
        var attributes = Attributes(resource?.Attributes ?? []);
        return (attributes.GetValueOrDefault("service.name", "unknown"), attributes.GetValueOrDefault("service.instance.id", ""));
    }

    private static Dictionary<string, string> Attributes(IEnumerable<KeyValue> attributes)
    {
        var result = new Dictionary<string, string>();
        foreach (var attribute in attributes)
        {
            result[attribute.Key] = Text(attribute.Value);
        }

        return result;
    }

    private static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.ArrayValue => string.Join(", ", value.ArrayValue.Values.Select(Text)),
        AnyValue.ValueOneofCase.BytesValue => Hex(value.BytesValue),
        AnyValue.ValueOneofCase.KvlistValue => string.Join(", ", value.KvlistValue.Values.Select(pair => $"{pair.Key}={Text(pair.Value)}")),
        _ => "",
    };

    private static DateTimeOffset Time(ulong unixNanoseconds) => DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanoseconds / 100));

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);
}
