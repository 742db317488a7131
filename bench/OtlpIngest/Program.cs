using System.Diagnostics;
using System.Globalization;
using Bookstore.Hosting.Telemetry;
using Bookstore.Hosting.Telemetry.Otlp;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

// An OTLP/gRPC sender for bench/otlp.sh, aimed at a running AppHost's receivers (URL and KEY as its processes get them):
//   OtlpIngest traces URL KEY SECONDS CONCURRENCY : CONCURRENCY exporters send batches of 64 traces x 8 spans for SECONDS; prints spans/s.
//   OtlpIngest fill URL KEY LOGS POINTS           : LOGS log records and, for each of the app's resources, POINTS metric points.
// Items have the shape the Bookstore's own exporters give them (names, attributes, histogram buckets).
if (args is not [var mode, var url, var key, var first, var second])
{
    Console.Error.WriteLine("usage: OtlpIngest traces URL KEY SECONDS CONCURRENCY | OtlpIngest fill URL KEY LOGS POINTS");
    return 2;
}

using var channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
var headers = new Metadata { { OtlpReceiver.ApiKeyHeader, key } };
var (a, b) = (int.Parse(first, CultureInfo.InvariantCulture), int.Parse(second, CultureInfo.InvariantCulture));
string[] resources = ["marketplace", "recommendations"];

if (mode == "traces")
{
    var client = new TraceService.TraceServiceClient(channel);
    long spans = 0;
    long batch = 0;
    var until = Stopwatch.GetTimestamp() + (a * Stopwatch.Frequency);
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, b).Select(async _ =>
    {
        while (Stopwatch.GetTimestamp() < until)
        {
            await client.ExportAsync(TraceBatch(Interlocked.Increment(ref batch)), headers);
            Interlocked.Add(ref spans, 64 * 8);
        }
    }));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sent {spans} spans in {clock.Elapsed.TotalSeconds:0.0} s: {spans / clock.Elapsed.TotalSeconds:0} spans/s"));
    return 0;
}

if (mode == "fill")
{
    var logs = new LogsService.LogsServiceClient(channel);
    for (var sent = 0; sent < a; sent += 500)
    {
        await logs.ExportAsync(LogBatch(resources[sent / 500 % 2], sent, Math.Min(500, a - sent)), headers);
    }

    var metrics = new MetricsService.MetricsServiceClient(channel);
    foreach (var resource in resources)
    {
        // An export as the services send it every second: 4 histograms and 4 counters, 2 attribute sets each.
        for (var export = 0; export * 16 < b; export++)
        {
            await metrics.ExportAsync(MetricBatch(resource, export), headers);
        }
    }

    Console.WriteLine($"sent {a} log records and {b} metric points for each of {string.Join(", ", resources)}");
    return 0;
}

Console.Error.WriteLine($"unknown mode '{mode}'");
return 2;

static Resource Service(string name, string instance) => new()
{
    Attributes =
    {
        Text("service.name", name), Text("service.instance.id", instance), Text("telemetry.sdk.name", "opentelemetry"),
        Text("telemetry.sdk.language", "dotnet"), Text("telemetry.sdk.version", "1.20.1"),
    },
};

static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

static KeyValue Number(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

static ulong Now() => (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

// 64 traces of 8 spans (a page, a gRPC client, an HTTP client, a server, ...) with the attributes real spans carry.
static ExportTraceServiceRequest TraceBatch(long number)
{
    var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore" } };
    var start = Now();
    for (var trace = 0; trace < 64; trace++)
    {
        var traceId = new byte[16];
        BitConverter.TryWriteBytes(traceId, number);
        BitConverter.TryWriteBytes(traceId.AsSpan(8), trace);
        ByteString? parent = null;
        for (var span = 0; span < 8; span++)
        {
            var spanId = new byte[8];
            BitConverter.TryWriteBytes(spanId, (number * 1000) + (trace * 10) + span);
            var item = new Span
            {
                TraceId = ByteString.CopyFrom(traceId),
                SpanId = ByteString.CopyFrom(spanId),
                Name = span == 0 ? "GET /Index" : "Recommendations/Recommend",
                Kind = span == 0 ? Span.Types.SpanKind.Server : Span.Types.SpanKind.Client,
                StartTimeUnixNano = start + ((ulong)span * 1000),
                EndTimeUnixNano = start + 2_000_000,
            };
            if (parent is not null)
            {
                item.ParentSpanId = parent;
            }

            item.Attributes.Add(Text("http.request.method", "GET"));
            item.Attributes.Add(Text("url.path", "/"));
            item.Attributes.Add(Text("server.address", "127.0.0.1"));
            item.Attributes.Add(Text("rpc.method", "Recommendations/Recommend"));
            item.Attributes.Add(Text("network.protocol.version", "2"));
            item.Attributes.Add(Number("http.response.status_code", 200));
            parent = item.SpanId;
            scope.Spans.Add(item);
        }
    }

    var request = new ExportTraceServiceRequest();
    request.ResourceSpans.Add(new ResourceSpans { Resource = Service("marketplace", "marketplace-0"), ScopeSpans = { scope } });
    return request;
}

// Log records like the per-call line of Recommendations' interceptor: a message, its template and arguments, a trace.
static ExportLogsServiceRequest LogBatch(string resource, int first, int count)
{
    var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "Bookstore.Recommendations.Interceptors.CallTelemetryInterceptor" } };
    var time = Now();
    for (var i = 0; i < count; i++)
    {
        var traceId = new byte[16];
        BitConverter.TryWriteBytes(traceId, first + i);
        var record = new LogRecord
        {
            TimeUnixNano = time,
            SeverityNumber = 9,
            SeverityText = "Information",
            Body = new AnyValue { StringValue = $"gRPC /Recommendations/Recommend finished with OK in {0.1 + (i % 50 / 100.0):0.000} ms" },
            TraceId = ByteString.CopyFrom(traceId),
            SpanId = ByteString.CopyFrom(traceId.AsSpan(0, 8)),
        };
        record.Attributes.Add(Text("Method", "/Recommendations/Recommend"));
        record.Attributes.Add(Text("StatusCode", "OK"));
        record.Attributes.Add(Text("ElapsedMilliseconds", (0.1 + (i % 50 / 100.0)).ToString("0.000", CultureInfo.InvariantCulture)));
        record.Attributes.Add(Text("{OriginalFormat}", "gRPC {Method} finished with {StatusCode} in {ElapsedMilliseconds} ms"));
        record.Attributes.Add(Number("EventId.Id", 2));
        scope.LogRecords.Add(record);
    }

    var request = new ExportLogsServiceRequest();
    request.ResourceLogs.Add(new ResourceLogs { Resource = Service(resource, resource + "-0"), ScopeLogs = { scope } });
    return request;
}

// One periodic export: 4 cumulative histograms (ASP.NET Core's 14 second-buckets) and 4 counters, 2 attribute sets each.
static ExportMetricsServiceRequest MetricBatch(string resource, int export)
{
    double[] bounds = [0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore.Hosting" } };
    var time = Now() + ((ulong)export * 1_000_000_000);
    for (var instrument = 0; instrument < 4; instrument++)
    {
        var histogram = new Metric { Name = $"http.server.request.duration.{instrument}", Unit = "s", Histogram = new Histogram() };
        var counter = new Metric { Name = $"kestrel.connections.{instrument}", Unit = "{connection}", Sum = new Sum { IsMonotonic = true } };
        foreach (var route in new[] { "/", "/category/{slug}" })
        {
            var point = new HistogramDataPoint { TimeUnixNano = time, Count = (ulong)(export * 100) };
            point.ExplicitBounds.Add(bounds);
            for (var bucket = 0; bucket <= bounds.Length; bucket++)
            {
                point.BucketCounts.Add(bucket < 4 ? (ulong)(export * 25) : 0);
            }

            point.Attributes.Add(Text("http.request.method", "GET"));
            point.Attributes.Add(Text("http.route", route));
            point.Attributes.Add(Number("http.response.status_code", 200));
            point.Attributes.Add(Text("url.scheme", "http"));
            histogram.Histogram.DataPoints.Add(point);
            counter.Sum.DataPoints.Add(new NumberDataPoint { TimeUnixNano = time, AsInt = export * 10, Attributes = { Text("http.route", route) } });
        }

        scope.Metrics.Add(histogram);
        scope.Metrics.Add(counter);
    }

    var request = new ExportMetricsServiceRequest();
    request.ResourceMetrics.Add(new ResourceMetrics { Resource = Service(resource, resource + "-0"), ScopeMetrics = { scope } });
    return request;
}
