using System.Diagnostics;
using System.Globalization;
using Bookstore.Hosting.Telemetry;
using Bookstore.Hosting.Telemetry.Otlp;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

// OtlpIngest receive            : the AppHost's OTLP receivers and store (default limits); prints "ready URL KEY"; runs until SIGTERM.
// OtlpIngest send URL KEY S C   : C concurrent OTLP/gRPC exporters send batches of 64 traces x 8 spans for S seconds; prints spans/s.
if (args is ["receive"])
{
    var store = new TelemetryStore(new TelemetryStoreOptions());
    await using var receiver = await OtlpReceiver.StartAsync(store, CancellationToken.None);
    Console.WriteLine($"ready {receiver.GrpcEndpoint} {receiver.Key}");
    var stop = new TaskCompletionSource();
    using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.TrySetResult();
    });
    await stop.Task;
    Console.WriteLine($"stored: {store.Traces().Count} traces, {store.Traces().Sum(trace => trace.Count)} spans");
    return 0;
}

if (args is ["send", var url, var key, var secondsText, var concurrencyText])
{
    var seconds = int.Parse(secondsText, CultureInfo.InvariantCulture);
    var concurrency = int.Parse(concurrencyText, CultureInfo.InvariantCulture);
    using var channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
    var client = new TraceService.TraceServiceClient(channel);
    var headers = new Metadata { { OtlpReceiver.ApiKeyHeader, key } };
    long spans = 0;
    long batch = 0;
    var until = Stopwatch.GetTimestamp() + (seconds * Stopwatch.Frequency);
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Stopwatch.GetTimestamp() < until)
        {
            var request = Batch(Interlocked.Increment(ref batch));
            await client.ExportAsync(request, headers);
            Interlocked.Add(ref spans, 64 * 8);
        }
    }));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sent {spans} spans in {clock.Elapsed.TotalSeconds:0.0} s: {spans / clock.Elapsed.TotalSeconds:0} spans/s"));
    return 0;
}

Console.Error.WriteLine("usage: OtlpIngest receive | OtlpIngest send URL KEY SECONDS CONCURRENCY");
return 2;

// 64 traces of 8 spans (a page, a gRPC client, an HTTP client, a server, ...) with the attributes real spans carry.
static ExportTraceServiceRequest Batch(long number)
{
    var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore" } };
    var start = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
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
                StartTimeUnixNano = start + (ulong)span * 1000,
                EndTimeUnixNano = start + 2_000_000,
            };
            if (parent is not null)
            {
                item.ParentSpanId = parent;
            }

            foreach (var (name, value) in new[] { ("http.request.method", "GET"), ("url.path", "/"), ("server.address", "127.0.0.1"), ("rpc.method", "Recommendations/Recommend"), ("network.protocol.version", "2") })
            {
                item.Attributes.Add(new KeyValue { Key = name, Value = new AnyValue { StringValue = value } });
            }

            item.Attributes.Add(new KeyValue { Key = "http.response.status_code", Value = new AnyValue { IntValue = 200 } });
            parent = item.SpanId;
            scope.Spans.Add(item);
        }
    }

    var resource = new Resource();
    resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "marketplace" } });
    resource.Attributes.Add(new KeyValue { Key = "service.instance.id", Value = new AnyValue { StringValue = "marketplace-0" } });
    var request = new ExportTraceServiceRequest();
    request.ResourceSpans.Add(new ResourceSpans { Resource = resource, ScopeSpans = { scope } });
    return request;
}
