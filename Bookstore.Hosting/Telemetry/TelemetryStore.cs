using System.Globalization;
using Bookstore.Hosting.Telemetry.Otlp;
using Google.Protobuf;
using Google.Protobuf.Collections;

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

/// <summary>
/// What the OTLP receivers got, bounded by <see cref="TelemetryLimits"/>: the oldest traces, log records and metric
/// points go first, so memory stays flat however long the AppHost runs. Repeated strings are shared and
/// attributes kept as arrays, so that full stores fit in a few tens of megabytes.
/// </summary>
public sealed class TelemetryStore(TelemetryLimits limits)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<TelemetrySpan>> _traces = [];
    private readonly Queue<string> _traceOrder = new();
    private readonly Queue<TelemetryLog> _logs = new();
    private readonly Dictionary<string, Queue<MetricPoint>> _metrics = [];
    private readonly Dictionary<string, IReadOnlyList<double>> _histogramBounds = [];
    private readonly StringPool _strings = new();
    private long _version;
    private long _dropped;

    public TelemetryLimits Limits => limits;

    /// <summary>Goes up with every export received, once it is stored: a page knows when to refresh.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Spans, span events and attributes dropped because a trace, span or item was at its limit.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int TraceCount
    {
        get
        {
            lock (_gate)
            {
                return _traces.Count;
            }
        }
    }

    /// <summary>The spans of one trace, or null when it is not (or no longer) stored.</summary>
    public IReadOnlyList<TelemetrySpan>? Trace(string traceId)
    {
        lock (_gate)
        {
            return _traces.TryGetValue(traceId, out var spans) ? [.. spans] : null;
        }
    }

    /// <summary>Every stored trace, oldest first.</summary>
    public IReadOnlyList<IReadOnlyList<TelemetrySpan>> Traces() => NewestTraces(int.MaxValue).Reverse().ToList();

    /// <summary>The <paramref name="count"/> newest traces, newest first (what a page shows, without copying the rest).</summary>
    public IReadOnlyList<IReadOnlyList<TelemetrySpan>> NewestTraces(int count)
    {
        lock (_gate)
        {
            return [.. _traceOrder.Reverse().Take(count).Select(id => (IReadOnlyList<TelemetrySpan>)[.. _traces[id]])];
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
                        if (_traceOrder.Count >= limits.MaxTraceCount)
                        {
                            _traces.Remove(_traceOrder.Dequeue());
                        }

                        spans = [];
                        _traces[traceId] = spans;
                        _traceOrder.Enqueue(traceId);
                    }
                    else
                    {
                        // One string per trace, shared by its spans.
                        traceId = spans.Count > 0 ? spans[0].TraceId : traceId;
                    }

                    if (spans.Count >= limits.MaxSpansPerTrace)
                    {
                        Interlocked.Increment(ref _dropped);
                        continue;
                    }

                    var events = span.Events.Count == 0
                        ? []
                        : span.Events.Take(limits.MaxSpanEventCount)
                            .Select(item => new SpanEvent(Time(item.TimeUnixNano), _strings.Get(item.Name), Attributes(item.Attributes))).ToArray();
                    Interlocked.Add(ref _dropped, Math.Max(0, span.Events.Count - limits.MaxSpanEventCount));
                    spans.Add(new TelemetrySpan(
                        traceId, Hex(span.SpanId), span.ParentSpanId.IsEmpty ? null : Hex(span.ParentSpanId), _strings.Get(span.Name),
                        KindName(span.Kind), resource, instance,
                        Time(span.StartTimeUnixNano), TimeSpan.FromTicks((long)(span.EndTimeUnixNano - span.StartTimeUnixNano) / 100),
                        span.Status?.Code == SpanStatus.Types.StatusCode.Error, Attributes(span.Attributes), events));
                }
            }

            Interlocked.Increment(ref _version);
        }
    }

    public void Add(ExportLogsServiceRequest request)
    {
        lock (_gate)
        {
            foreach (var resourceLogs in request.ResourceLogs)
            {
                var (resource, instance) = Identify(resourceLogs.Resource);
                foreach (var scope in resourceLogs.ScopeLogs)
                {
                    var category = _strings.Get(scope.Scope?.Name ?? "");
                    foreach (var record in scope.LogRecords)
                    {
                        if (_logs.Count >= limits.MaxLogCount)
                        {
                            _logs.Dequeue();
                        }

                        _logs.Enqueue(new TelemetryLog(
                            Time(record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano), resource, instance,
                            record.SeverityNumber, _strings.Get(record.SeverityText), category, Truncate(Text(record.Body)),
                            record.TraceId.IsEmpty ? null : Hex(record.TraceId), record.SpanId.IsEmpty ? null : Hex(record.SpanId),
                            Attributes(record.Attributes)));
                    }
                }
            }

            Interlocked.Increment(ref _version);
        }
    }

    public void Add(ExportMetricsServiceRequest request)
    {
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
                        if (points.Count >= limits.MaxMetricPointsPerResource)
                        {
                            points.Dequeue();
                        }

                        points.Enqueue(point);
                    }
                }
            }

            Interlocked.Increment(ref _version);
        }
    }

    private IEnumerable<MetricPoint> PointsOf(Metric metric, string resource, string instance)
    {
        var (name, unit) = (_strings.Get(metric.Name), _strings.Get(metric.Unit));
        return metric.DataCase switch
        {
            Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Select(point => Number(name, unit, resource, instance, point)),
            Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Select(point => Number(name, unit, resource, instance, point)),
            Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Select(point =>
                new MetricPoint(resource, instance, name, unit, Time(point.TimeUnixNano), point.Count, Attributes(point.Attributes),
                    new HistogramBuckets(Bounds(name, point.ExplicitBounds), [.. point.BucketCounts]))),
            _ => [],
        };
    }

    private MetricPoint Number(string name, string unit, string resource, string instance, NumberDataPoint point) =>
        new(resource, instance, name, unit, Time(point.TimeUnixNano),
            point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble, Attributes(point.Attributes));

    /// <summary>An instrument's bucket bounds rarely change: its points share one array.</summary>
    private IReadOnlyList<double> Bounds(string metricName, IReadOnlyList<double> bounds)
    {
        if (_histogramBounds.TryGetValue(metricName, out var known) && known.SequenceEqual(bounds))
        {
            return known;
        }

        double[] copy = [.. bounds];
        _histogramBounds[metricName] = copy;
        return copy;
    }

    private (string Resource, string Instance) Identify(Resource? resource)
    {
        var attributes = Attributes(resource?.Attributes ?? []);
        return (attributes.GetValueOrDefault("service.name", "unknown"), attributes.GetValueOrDefault("service.instance.id", ""));
    }

    private AttributeDictionary Attributes(RepeatedField<KeyValue> attributes)
    {
        if (attributes.Count == 0)
        {
            return AttributeDictionary.Empty;
        }

        var count = Math.Min(attributes.Count, limits.MaxAttributeCount);
        Interlocked.Add(ref _dropped, attributes.Count - count);
        var pairs = new KeyValuePair<string, string>[count];
        for (var i = 0; i < count; i++)
        {
            pairs[i] = new(_strings.Get(attributes[i].Key), _strings.Get(Truncate(Text(attributes[i].Value))));
        }

        return new AttributeDictionary(pairs);
    }

    private string Truncate(string text) => text.Length <= limits.MaxAttributeLength ? text : text[..limits.MaxAttributeLength];

    private static string KindName(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Internal => "Internal",
        Span.Types.SpanKind.Server => "Server",
        Span.Types.SpanKind.Client => "Client",
        Span.Types.SpanKind.Producer => "Producer",
        Span.Types.SpanKind.Consumer => "Consumer",
        _ => "Unspecified",
    };

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
